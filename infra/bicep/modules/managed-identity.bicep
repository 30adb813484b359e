metadata name = 'User-assigned managed identity'
metadata description = 'The one identity of the Function App and of the Azure ML trainer jobs (no account keys anywhere).'

@description('Required. Name of the identity.')
param name string

@description('Optional. Location of the identity.')
param location string = resourceGroup().location

@description('Optional. Tags of the identity.')
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

@description('The resource id of the identity.')
output resourceId string = identity.id

@description('The client id of the identity (DefaultAzureCredential / AzureWebJobsStorage__clientId).')
output clientId string = identity.properties.clientId

@description('The principal (object) id of the identity, for role assignments.')
output principalId string = identity.properties.principalId

@description('The name of the identity.')
output name string = identity.name
