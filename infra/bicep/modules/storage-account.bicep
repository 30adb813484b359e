metadata name = 'Storage account'
metadata description = 'Artifacts (container rlhf), the Durable Task hub of the Azure Storage provider (queues, tables, blobs) and the Function App deployment package. Keys are disabled: every client signs in with Microsoft Entra ID.'

@description('Required. Name of the storage account (3-24 lower-case letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Optional. Location of the storage account.')
param location string = resourceGroup().location

@description('Optional. Tags of the storage account.')
param tags object = {}

@description('Required. Blob containers to create (the artifact store, the Flex Consumption deployment package).')
param containerNames string[]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for containerName in containerNames: {
    parent: blobService
    name: containerName
    properties: {
      publicAccess: 'None'
    }
  }
]

// The Durable Task Azure Storage provider creates its own control/work-item queues, history/instance tables and
// lease blobs at start-up (by identity): the services only have to exist.
resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

@description('The resource id of the storage account.')
output resourceId string = storage.id

@description('The name of the storage account.')
output name string = storage.name

@description('The blob endpoint, ending in "/".')
output blobEndpoint string = storage.properties.primaryEndpoints.blob

@description('The queue endpoint, ending in "/".')
output queueEndpoint string = storage.properties.primaryEndpoints.queue

@description('The table endpoint, ending in "/".')
output tableEndpoint string = storage.properties.primaryEndpoints.table
