// Built-in Azure role definition ids the gateway relies on, in one place.
// Ids are the same in every tenant and cloud; the names are what the portal shows.

@export()
@description('Storage Blob Data Owner: the Functions host keeps blob leases and keys in blobs, the drain takes a blob lease; Flex reads the deployment package.')
var storageBlobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'

@export()
@description('Storage Queue Data Contributor: the gateway enqueues operations and the queue triggers consume them.')
var storageQueueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'

@export()
@description('Storage Table Data Contributor: rate-limit state, webhook dedupe, import progress, dead-letter index.')
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'

@export()
@description('Key Vault Secrets User: read secret values (the app reads the Libromi token).')
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

@export()
@description('Key Vault Secrets Officer: create and rotate secrets (the deploying principal stores the token).')
var keyVaultSecretsOfficer = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

@export()
@description('Monitoring Metrics Publisher: send telemetry to Application Insights with Entra ID auth.')
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'
