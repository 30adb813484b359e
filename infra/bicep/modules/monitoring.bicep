metadata name = 'Log Analytics workspace and Application Insights'
metadata description = 'Telemetry of the Function App. Local (instrumentation-key) auth is off: senders authenticate with Microsoft Entra ID (APPLICATIONINSIGHTS_AUTHENTICATION_STRING).'

@description('Required. Name of the Log Analytics workspace.')
param logAnalyticsName string

@description('Required. Name of the Application Insights component.')
param applicationInsightsName string

@description('Optional. Location of both resources.')
param location string = resourceGroup().location

@description('Optional. Tags of both resources.')
param tags object = {}

@description('Optional. Days the workspace keeps logs (30 is included in the per-GB price).')
@minValue(30)
@maxValue(730)
param retentionInDays int = 30

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    DisableLocalAuth: true
  }
}

@description('The resource id of the Application Insights component.')
output applicationInsightsResourceId string = applicationInsights.id

@description('The name of the Application Insights component.')
output applicationInsightsName string = applicationInsights.name

@description('The connection string of the Application Insights component (not a secret: local auth is disabled).')
output connectionString string = applicationInsights.properties.ConnectionString

@description('The resource id of the Log Analytics workspace.')
output logAnalyticsResourceId string = logAnalytics.id
