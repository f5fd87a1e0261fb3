// Storage for the Functions host and the gateway: queues of operations, tables of state,
// and the blob container Flex Consumption deploys from. Keys are disabled: every client,
// including the Functions host, authenticates with the app's managed identity.

import { storageBlobDataOwner, storageQueueDataContributor, storageTableDataContributor } from 'roles.bicep'

param name string
param location string
param tags object

@description('Principal id of the app\'s managed identity, granted data access on this account only.')
param appPrincipalId string

@description('Blob container that holds the Flex Consumption deployment package.')
param deploymentContainerName string

// The gateway's queue and table names. The code uses the same names; the Functions queue
// extension moves a message to <queue>-poison after maxDequeueCount, so the poison queues
// exist from the start and can be monitored.
// operations-wake holds the short-lived messages that start a drain run; replay-jobs holds one small message per
// page of a replay job still to do (POST /api/replays). They are the only queues the app triggers on.
var queueNames = [
  'operations-realtime'
  'operations-bulk'
  'operations-wake'
  'replay-jobs'
  'replay-jobs-poison'
  'operations-realtime-poison'
  'operations-bulk-poison'
]

// ratelimit: shared rate-limit state across instances; deliveries: webhook dedupe;
// imports: import progress; deadletters: index of dead-lettered operations; replays: replay jobs and their checkpoints;
// figures: hourly per-integration counters of the status page;
// scenariointents: intent and outcome of each webhook scenario POST, so a crash never sends a WhatsApp message twice.
var tableNames = [
  'ratelimit'
  'deliveries'
  'imports'
  'deadletters'
  'replays'
  'figures'
  'scenariointents'
]

resource storage 'Microsoft.Storage/storageAccounts@2026-06-01' = {
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
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2026-06-01' = {
  parent: storage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-06-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

// The drain's leader blob: the instance holding its blob lease is the one that sends to Libromi.
resource drainContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-06-01' = {
  parent: blobService
  name: 'gateway-drain'
  properties: {
    publicAccess: 'None'
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2026-06-01' = {
  parent: storage
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2026-06-01' = [
  for queueName in queueNames: {
    parent: queueService
    name: queueName
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2026-06-01' = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2026-06-01' = [
  for tableName in tableNames: {
    parent: tableService
    name: tableName
  }
]

// Data roles for the app identity, each scoped to this account rather than the resource group.
resource blobDataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appPrincipalId, storageBlobDataOwner)
  scope: storage
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataOwner)
  }
}

resource queueDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appPrincipalId, storageQueueDataContributor)
  scope: storage
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataContributor)
  }
}

resource tableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appPrincipalId, storageTableDataContributor)
  scope: storage
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributor)
  }
}

output name string = storage.name
output blobServiceUri string = storage.properties.primaryEndpoints.blob
output queueServiceUri string = storage.properties.primaryEndpoints.queue
output tableServiceUri string = storage.properties.primaryEndpoints.table
output deploymentContainerUri string = '${storage.properties.primaryEndpoints.blob}${deploymentContainer.name}'
output queueNames string[] = queueNames
output tableNames string[] = tableNames
