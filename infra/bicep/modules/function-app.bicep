metadata name = 'Function App (Flex Consumption)'
metadata description = 'src/FunctionApp, the .NET 10 isolated worker, on a Flex Consumption (FC1) plan that scales to zero. It runs as the user-assigned identity: host storage, the Durable Task hub, artifacts, telemetry and the signing-key Key Vault reference all authenticate with it.'

@description('Required. Name of the Function App.')
param name string

@description('Required. Name of the Flex Consumption plan.')
param planName string

@description('Optional. Location of the plan and the app.')
param location string = resourceGroup().location

@description('Optional. Tags of the plan and the app.')
param tags object = {}

@description('Optional. The azd service this app hosts (azure.yaml services key): azd deploys to the resource tagged with it.')
param azdServiceName string = 'api'

@description('Required. Resource id of the user-assigned identity the app runs as.')
param identityResourceId string

@description('Required. Client id of the user-assigned identity.')
param identityClientId string

@description('Required. Blob endpoint of the storage account, ending in "/".')
param blobEndpoint string

@description('Required. Queue endpoint of the storage account, ending in "/".')
param queueEndpoint string

@description('Required. Table endpoint of the storage account, ending in "/".')
param tableEndpoint string

@description('Required. Blob container of the artifact store (Rlhf:Storage:Location).')
param artifactContainerName string

@description('Required. Blob container Flex Consumption deploys the app package to.')
param deploymentContainerName string

@description('Required. Connection string of Application Insights.')
param applicationInsightsConnectionString string

@description('Required. Durable task hub name (Rlhf:TaskHub, read by host.json): 3-45 letters and digits.')
@minLength(3)
@maxLength(45)
param taskHubName string

@description('Required. Six-field cron (seconds first, UTC) of the nightly retraining run (Rlhf:Nightly:Schedule).')
param nightlySchedule string

@description('Required. Run spec of the nightly run (Rlhf:Nightly:Spec): a blob URI or a path inside the app (configs/*.json).')
param nightlySpec string

@description('Required. Whether the nightly TimerTrigger (function NightlyRetrainSchedule) is enabled.')
param nightlyEnabled bool

@description('Required. Versionless Key Vault secret URI of the label-link signing key (Rlhf:Labeling:TokenKey).')
param labelTokenKeySecretUri string

@description('Required. The Azure ML workspace (in this resource group) whose cluster runs the trainer jobs (Rlhf:AzureMl:Workspace).')
param azureMlWorkspaceName string

@description('Required. The GPU compute cluster of the trainer jobs (Rlhf:AzureMl:Compute).')
param azureMlComputeName string

@description('Required. VM size of a trainer job\'s node, the cluster\'s (Rlhf:AzureMl:InstanceType).')
param azureMlInstanceType string

@description('Required. The trainer image jobs run unless a spec names another from the same registry (Rlhf:AzureMl:Image).')
param trainerImage string

@description('Optional. Most instances the app scales out to (Flex Consumption: 40-1000).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Optional. Memory of each instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': azdServiceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityResourceId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityResourceId
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityResourceId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      // Flex Consumption takes the worker runtime from here, not from FUNCTIONS_WORKER_RUNTIME (an app setting it rejects).
      // .NET 10 isolated is generally available on Flex Consumption since 2025-11 (azure-functions-dotnet-worker#3152).
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

// Every setting the app reads, and nothing else: tests/FunctionApp.Tests/BicepAppSettingsTests.cs compares this list
// with the code (FunctionAppSettings, the options sections it binds, host.json and functions.metadata %references%).
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: {
    // Host storage and the Durable Task hub (Azure Storage provider), by identity.
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    AzureWebJobsStorage__blobServiceUri: blobEndpoint
    AzureWebJobsStorage__queueServiceUri: queueEndpoint
    AzureWebJobsStorage__tableServiceUri: tableEndpoint
    // Telemetry with Microsoft Entra ID auth (the component has local auth disabled).
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
    // DefaultAzureCredential (artifact store, Azure OpenAI judge) signs in as the user-assigned identity.
    AZURE_CLIENT_ID: identityClientId
    Rlhf__TaskHub: taskHubName
    Rlhf__Storage__Location: '${blobEndpoint}${artifactContainerName}'
    Rlhf__Nightly__Schedule: nightlySchedule
    Rlhf__Nightly__Spec: nightlySpec
    'AzureWebJobs.NightlyRetrainSchedule.Disabled': nightlyEnabled ? 'false' : 'true'
    // Required outside Development: the app refuses to start without it (FunctionAppServices).
    Rlhf__Labeling__TokenKey: '@Microsoft.KeyVault(SecretUri=${labelTokenKeySecretUri})'
    // The azureml job runner's defaults (compute.runner: "azureml" needs nothing else): ARM of this cloud, the workspace
    // and cluster of this deployment, the image in its registry (the only registry a spec's image may come from), and
    // the identity the cluster runs jobs as (the trainer's AZURE_CLIENT_ID).
    Rlhf__AzureMl__Endpoint: environment().resourceManager
    Rlhf__AzureMl__SubscriptionId: subscription().subscriptionId
    Rlhf__AzureMl__ResourceGroup: resourceGroup().name
    Rlhf__AzureMl__Workspace: azureMlWorkspaceName
    Rlhf__AzureMl__Compute: azureMlComputeName
    Rlhf__AzureMl__InstanceType: azureMlInstanceType
    Rlhf__AzureMl__Image: trainerImage
    Rlhf__AzureMl__ClientId: identityClientId
  }
}

@description('The resource id of the Function App.')
output resourceId string = site.id

@description('The name of the Function App.')
output name string = site.name

@description('The HTTPS endpoint of the Function App (what `rlhf --endpoint` takes).')
output endpoint string = 'https://${site.properties.defaultHostName}'
