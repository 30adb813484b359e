metadata name = 'Azure Machine Learning workspace and GPU cluster'
metadata description = 'Where the azureml job runner submits each trainer attempt as a command job: a workspace over the shared storage account, Key Vault, registry and Application Insights, and an AmlCompute GPU cluster that scales to zero nodes and runs jobs as the user-assigned identity.'

@description('Required. Name of the workspace.')
param name string

@description('Optional. Location of the workspace and the cluster.')
param location string = resourceGroup().location

@description('Optional. Tags of the workspace and the cluster.')
param tags object = {}

@description('Required. Resource id of the storage account (shared-key access disabled: system datastores use identity auth).')
param storageAccountResourceId string

@description('Required. Resource id of the Key Vault.')
param keyVaultResourceId string

@description('Required. Resource id of the container registry with the trainer image.')
param containerRegistryResourceId string

@description('Required. Resource id of the Application Insights component.')
param applicationInsightsResourceId string

@description('Required. Resource id of the user-assigned identity the cluster runs jobs as (jobs with identity "Managed").')
param jobIdentityResourceId string

@description('Required. Name of the GPU compute cluster (2-16 letters, digits and dashes).')
@minLength(2)
@maxLength(16)
param computeName string

@description('Required. VM size of the cluster nodes, e.g. Standard_NC4as_T4_v3 (1x T4) or Standard_NC24ads_A100_v4 (1x A100).')
param vmSize string

@description('Required. Low-priority (spot) nodes: much cheaper, can be preempted (a preempted attempt resumes from its checkpoint).')
param lowPriority bool

@description('Required. Most nodes the cluster scales out to.')
@minValue(1)
param maxNodeCount int

@description('Optional. Idle time before a node is released (ISO 8601); the cluster always scales back to 0 nodes.')
param nodeIdleTimeBeforeScaleDown string = 'PT10M'

resource workspace 'Microsoft.MachineLearningServices/workspaces@2025-09-01' = {
  name: name
  location: location
  tags: tags
  kind: 'Default'
  sku: {
    name: 'Basic'
    tier: 'Basic'
  }
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    friendlyName: name
    storageAccount: storageAccountResourceId
    keyVault: keyVaultResourceId
    containerRegistry: containerRegistryResourceId
    applicationInsights: applicationInsightsResourceId
    systemDatastoresAuthMode: 'identity'
    publicNetworkAccess: 'Enabled'
  }
}

resource gpuCluster 'Microsoft.MachineLearningServices/workspaces/computes@2025-09-01' = {
  parent: workspace
  name: computeName
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${jobIdentityResourceId}': {}
    }
  }
  properties: {
    computeType: 'AmlCompute'
    description: 'GPU nodes for rlhf-trainer jobs'
    properties: {
      osType: 'Linux'
      vmSize: vmSize
      vmPriority: lowPriority ? 'LowPriority' : 'Dedicated'
      scaleSettings: {
        minNodeCount: 0
        maxNodeCount: maxNodeCount
        nodeIdleTimeBeforeScaleDown: nodeIdleTimeBeforeScaleDown
      }
      remoteLoginPortPublicAccess: 'Disabled'
    }
  }
}

@description('The resource id of the workspace.')
output resourceId string = workspace.id

@description('The name of the workspace.')
output name string = workspace.name

@description('The resource id of the GPU cluster (the jobs\' computeId).')
output computeResourceId string = gpuCluster.id

@description('The name of the GPU cluster.')
output computeName string = gpuCluster.name
