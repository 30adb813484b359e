metadata name = 'Key Vault'
metadata description = 'Secrets of the deployment (RBAC authorization, no access policies): the label-link signing key, which the Function App reads through a Key Vault reference; also the Azure ML workspace vault.'

@description('Required. Name of the vault (3-24 letters, digits and dashes).')
@minLength(3)
@maxLength(24)
param name string

@description('Optional. Location of the vault.')
param location string = resourceGroup().location

@description('Optional. Tags of the vault.')
param tags object = {}

@description('Required. Name of the secret holding the label-link signing key.')
param labelTokenKeySecretName string

@description('Required. The label-link signing key: base64 of at least 32 random bytes (e.g. `openssl rand -base64 32`). No default, by design.')
@secure()
@minLength(44)
param labelTokenKey string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

resource labelTokenKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: labelTokenKeySecretName
  properties: {
    value: labelTokenKey
    contentType: 'base64 HMAC-SHA256 key (Rlhf:Labeling:TokenKey)'
  }
}

@description('The resource id of the vault.')
output resourceId string = vault.id

@description('The name of the vault.')
output name string = vault.name

@description('The URI of the signing-key secret without a version, so a rotated key is picked up on restart.')
output labelTokenKeySecretUri string = '${vault.properties.vaultUri}secrets/${labelTokenKeySecret.name}'
