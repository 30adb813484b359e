metadata name = 'Container registry'
metadata description = 'Holds the trainer image (rlhf-trainer, src/TrainerJob/Dockerfile) that the Azure ML jobs run. No admin user: pushes and pulls use Microsoft Entra ID.'

@description('Required. Name of the registry (5-50 letters and digits).')
@minLength(5)
@maxLength(50)
param name string

@description('Optional. Location of the registry.')
param location string = resourceGroup().location

@description('Optional. Tags of the registry.')
param tags object = {}

@description('Optional. Registry SKU.')
@allowed([
  'Basic'
  'Standard'
  'Premium'
])
param sku string = 'Basic'

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: sku
  }
  properties: {
    adminUserEnabled: false
    publicNetworkAccess: 'Enabled'
  }
}

@description('The resource id of the registry.')
output resourceId string = registry.id

@description('The name of the registry.')
output name string = registry.name

@description('The login server of the registry (<name>.azurecr.io).')
output loginServer string = registry.properties.loginServer
