// Libromi Connect Gateway on Azure: one resource group with the Function app (Flex
// Consumption), its storage, Key Vault, telemetry and alerts.
// Deploy with `azd up`, or: az deployment sub create --location <region> --template-file infra/main.bicep --parameters environmentName=<name> location=<region>

targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the environment (azd: AZURE_ENV_NAME); names the resource group and seeds resource names.')
param environmentName string

@minLength(1)
@description('Azure region for every resource (azd: AZURE_LOCATION). Flex Consumption must be available there.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the user or service principal deploying (azd: AZURE_PRINCIPAL_ID); it may then store the Libromi token. Empty skips that role assignment.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
@description('Kind of principal principalId names (azd: AZURE_PRINCIPAL_TYPE).')
param principalType string = 'User'

@allowed([
  'free'
  'paid'
])
@description('Libromi account plan; sets the hourly request limit the gateway keeps to.')
param libromiPlan string = 'free'

@description('Libromi Connect API root.')
param libromiBaseUrl string = 'https://wa-api.cloud/api/v1'

@description('Integrations file (per-source webhook endpoints); a relative path is relative to the app root /home/site/wwwroot.')
param integrationsFile string = 'integrations.json'

@minValue(1)
@maxValue(1000)
@description('Upper bound of Function app instances. The Libromi rate limit is per account, so more instances only absorb ingest bursts.')
param maximumInstanceCount int = 40

@allowed([
  512
  2048
  4096
])
@description('Memory of each instance in MB.')
param instanceMemoryMB int = 2048

@description('E-mail address for alert notifications; empty creates the alert rules without one.')
param alertEmail string = ''

@minValue(7)
@maxValue(90)
@description('Days a deleted Key Vault (and its name) is kept; purge protection makes this a floor nobody can shorten.')
param keyVaultSoftDeleteRetentionInDays int = 90

// Libromi: 60 requests a minute on contact endpoints (burst 100) on every plan; 1,000 an hour
// on free accounts, 10,000 on paid ones. The per-minute contact throttle is the binding one.
var libromiPlanLimits = {
  free: {
    requestsPerMinute: 60
    requestsPerHour: 1000
  }
  paid: {
    requestsPerMinute: 60
    requestsPerHour: 10000
  }
}

var libromiTokenSecretName = 'libromi-api-token'
var deploymentContainerName = 'app-package'

var tags = {
  'azd-env-name': environmentName
}

// Globally unique, stable per subscription, environment and region.
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))

resource resourceGroup 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: resourceGroup
  params: {
    name: 'id-gateway-${resourceToken}'
    location: location
    tags: tags
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
    appPrincipalId: identity.outputs.principalId
    alertEmail: alertEmail
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: resourceGroup
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    appPrincipalId: identity.outputs.principalId
    deploymentContainerName: deploymentContainerName
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: resourceGroup
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    appPrincipalId: identity.outputs.principalId
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionInDays
  }
}

module gateway 'app/gateway.bicep' = {
  name: 'gateway'
  scope: resourceGroup
  params: {
    planName: 'plan-${resourceToken}'
    appName: 'func-gateway-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    blobServiceUri: storage.outputs.blobServiceUri
    queueServiceUri: storage.outputs.queueServiceUri
    tableServiceUri: storage.outputs.tableServiceUri
    deploymentContainerUri: storage.outputs.deploymentContainerUri
    keyVaultUri: keyVault.outputs.vaultUri
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    libromiBaseUrl: libromiBaseUrl
    requestsPerMinute: libromiPlanLimits[libromiPlan].requestsPerMinute
    requestsPerHour: libromiPlanLimits[libromiPlan].requestsPerHour
    tokenSecretName: libromiTokenSecretName
    integrationsFile: integrationsFile
  }
}

// azd stores outputs in the environment (azd env get-values) and the postprovision hook prints them.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup.name
output AZURE_FUNCTION_APP_NAME string = gateway.outputs.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output GATEWAY_BASE_URL string = 'https://${gateway.outputs.defaultHostName}/api'
output GATEWAY_WEBHOOK_URL_TEMPLATE string = 'https://${gateway.outputs.defaultHostName}/api/hooks/{integration}'
output KEY_VAULT_NAME string = keyVault.outputs.name
output KEY_VAULT_SET_TOKEN_COMMAND string = 'az keyvault secret set --vault-name ${keyVault.outputs.name} --name ${libromiTokenSecretName} --value <YOUR_TOKEN>'
