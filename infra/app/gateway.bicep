// The gateway's Function app on the Flex Consumption plan (FC1, Linux, dotnet-isolated 10.0).
// Every connection is identity-based through one user-assigned identity: no keys, no
// connection strings with secrets, no basic publishing credentials.

param planName string
param appName string
param location string
param tags object

param identityId string
param identityClientId string

param applicationInsightsName string

@description('Storage service endpoints of the AzureWebJobsStorage account (trailing slash included).')
param blobServiceUri string
param queueServiceUri string
param tableServiceUri string

@description('URL of the blob container Flex Consumption deploys the app package from.')
param deploymentContainerUri string

param keyVaultUri string

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Libromi Connect API root (Libromi__BaseUrl).')
param libromiBaseUrl string

@description('The account plan\'s limits; the gateway never exceeds either, across all instances.')
param requestsPerMinute int
param requestsPerHour int

@description('Name of the Key Vault secret holding the Libromi API token.')
param tokenSecretName string

@description('Integrations file; a relative path is relative to the app root /home/site/wwwroot.')
param integrationsFile string

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2025-03-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': 'gateway' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      http20Enabled: true
      // Flex Consumption rejects FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION,
      // WEBSITE_RUN_FROM_PACKAGE and WEBSITE_CONTENT*: runtime and package come from functionAppConfig.
      appSettings: [
        // Identity-based AzureWebJobsStorage for the host, the queue triggers and the gateway's own clients.
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
        { name: 'AzureWebJobsStorage__blobServiceUri', value: blobServiceUri }
        { name: 'AzureWebJobsStorage__queueServiceUri', value: queueServiceUri }
        { name: 'AzureWebJobsStorage__tableServiceUri', value: tableServiceUri }
        // DefaultAzureCredential (the SecretClient for Key Vault) picks the user-assigned identity by this id.
        { name: 'AZURE_CLIENT_ID', value: identityClientId }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: applicationInsights.properties.ConnectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identityClientId};Authorization=AAD' }
        { name: 'KeyVault__VaultUri', value: keyVaultUri }
        { name: 'Libromi__BaseUrl', value: libromiBaseUrl }
        { name: 'Libromi__TokenSecretName', value: tokenSecretName }
        { name: 'Libromi__RequestsPerMinute', value: string(requestsPerMinute) }
        { name: 'Libromi__RequestsPerHour', value: string(requestsPerHour) }
        { name: 'Gateway__IntegrationsFile', value: integrationsFile }
        // The retention sweep's timer schedule (hourly). The host does not load a timer whose %RetentionSchedule%
        // resolves to nothing, so it is always set; a flat name because the platform resolves it literally.
        { name: 'RetentionSchedule', value: '0 0 * * * *' }
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUri
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

// Deployments authenticate with Entra ID (azd, az functionapp deploy); FTP and SCM basic auth stay off.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: app
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: app
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = app.name
output defaultHostName string = app.properties.defaultHostName
