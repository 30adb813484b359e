metadata name = 'RLHF pipeline'
metadata description = 'Everything `azd up` deploys: the Function App that runs the durable workflow, the storage it keeps artifacts and the task hub in, telemetry, and the Azure ML workspace whose GPU cluster runs the trainer jobs. One user-assigned identity, no keys.'

targetScope = 'subscription'

@description('Required. Name of the azd environment; names the resource group and seeds the resource names.')
@minLength(1)
@maxLength(64)
param environmentName string

@description('Required. Azure region of every resource (it must offer Flex Consumption and the GPU VM size).')
param location string

@description('Required. The label-link signing key: base64 of at least 32 random bytes (`openssl rand -base64 32`). Stored in Key Vault; the app reads it through a Key Vault reference. There is deliberately no default.')
@secure()
@minLength(44)
param labelTokenKey string

@description('Optional. VM size of the GPU cluster nodes.')
param gpuVmSize string = 'Standard_NC4as_T4_v3'

@description('Optional. Low-priority (spot) GPU nodes: cheaper, preemptible; a preempted attempt resumes from its checkpoint.')
param gpuLowPriority bool = true

@description('Optional. Most GPU nodes the cluster scales out to (it always scales back to 0).')
@minValue(1)
param gpuMaxNodes int = 1

@description('Optional. Tag of the trainer image the jobs run by default (`<registry>/rlhf-trainer:<tag>`); push it with `az acr build` before the first azureml run.')
@minLength(1)
@maxLength(128)
param trainerImageTag string = 'latest'

@description('Optional. Durable task hub name: 3-45 letters and digits.')
@minLength(3)
@maxLength(45)
param taskHubName string = 'rlhf'

@description('Optional. Six-field cron (seconds first, UTC) of the nightly retraining run.')
param nightlySchedule string = '0 0 2 * * *'

@description('Optional. Run spec of the nightly run: a blob URI or a path inside the app (configs/*.json).')
param nightlySpec string = 'configs/demo.json'

@description('Optional. Whether the nightly retraining run is scheduled. Off by default: each nightly run trains models and costs compute.')
param nightlyEnabled bool = false

@description('Optional. Principal id of the person deploying (azd fills it): read access to artifacts and orchestration instances in the portal.')
param principalId string = ''

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
// The artifact container the app and the trainer read and write (README "Where things go").
var artifactContainerName = 'rlhf'
var deploymentContainerName = 'app-package-${resourceToken}'
var labelTokenKeySecretName = 'rlhf-label-token-key'

resource resourceGroup 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/managed-identity.bicep' = {
  name: 'identity'
  scope: resourceGroup
  params: {
    name: 'id-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage-account.bicep' = {
  name: 'storage'
  scope: resourceGroup
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    containerNames: [
      artifactContainerName
      deploymentContainerName
    ]
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: resourceGroup
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module keyVault 'modules/key-vault.bicep' = {
  name: 'keyVault'
  scope: resourceGroup
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    labelTokenKeySecretName: labelTokenKeySecretName
    labelTokenKey: labelTokenKey
  }
}

module registry 'modules/container-registry.bicep' = {
  name: 'registry'
  scope: resourceGroup
  params: {
    name: 'cr${resourceToken}'
    location: location
    tags: tags
  }
}

module machineLearning 'modules/ml-workspace.bicep' = {
  name: 'machineLearning'
  scope: resourceGroup
  params: {
    name: 'mlw-${resourceToken}'
    location: location
    tags: tags
    storageAccountResourceId: storage.outputs.resourceId
    keyVaultResourceId: keyVault.outputs.resourceId
    containerRegistryResourceId: registry.outputs.resourceId
    applicationInsightsResourceId: monitoring.outputs.applicationInsightsResourceId
    jobIdentityResourceId: identity.outputs.resourceId
    computeName: 'gpu-cluster'
    vmSize: gpuVmSize
    lowPriority: gpuLowPriority
    maxNodeCount: gpuMaxNodes
  }
}

module roles 'modules/role-assignments.bicep' = {
  name: 'roles'
  scope: resourceGroup
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    workspaceName: machineLearning.outputs.name
    containerRegistryName: registry.outputs.name
    keyVaultName: keyVault.outputs.name
    userPrincipalId: principalId
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: 'functionApp'
  scope: resourceGroup
  // The host reaches storage and Key Vault as the identity from its first start.
  dependsOn: [
    roles
  ]
  params: {
    name: 'func-${resourceToken}'
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    identityResourceId: identity.outputs.resourceId
    identityClientId: identity.outputs.clientId
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    artifactContainerName: artifactContainerName
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    taskHubName: taskHubName
    nightlySchedule: nightlySchedule
    nightlySpec: nightlySpec
    nightlyEnabled: nightlyEnabled
    labelTokenKeySecretUri: keyVault.outputs.labelTokenKeySecretUri
    azureMlWorkspaceName: machineLearning.outputs.name
    azureMlComputeName: machineLearning.outputs.computeName
    azureMlInstanceType: gpuVmSize
    trainerImage: '${registry.outputs.loginServer}/rlhf-trainer:${trainerImageTag}'
  }
}

@description('The resource group everything is in.')
output AZURE_RESOURCE_GROUP string = resourceGroup.name

@description('The Function App endpoint: `rlhf ... --endpoint <this>` with the function key in RLHF_FUNCTION_KEY.')
output RLHF_ENDPOINT string = functionApp.outputs.endpoint

@description('The name of the Function App.')
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name

@description('The container registry to push the trainer image to (`az acr build --registry <this>`).')
output AZURE_CONTAINER_REGISTRY_NAME string = registry.outputs.name

@description('The login server of the container registry.')
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.outputs.loginServer

@description('The Azure ML workspace the trainer jobs run in.')
output AZURE_ML_WORKSPACE string = machineLearning.outputs.name

@description('The GPU compute cluster of the trainer jobs.')
output AZURE_ML_COMPUTE string = machineLearning.outputs.computeName

@description('The client id of the user-assigned identity (jobs and app).')
output AZURE_CLIENT_ID string = identity.outputs.clientId

@description('The artifact store location (Rlhf:Storage:Location).')
output RLHF_STORAGE_LOCATION string = '${storage.outputs.blobEndpoint}${artifactContainerName}'
