// Telemetry and alerts: Log Analytics, workspace-based Application Insights with local
// (instrumentation key) auth disabled, and log alerts on the gateway's own signals.

import { monitoringMetricsPublisher } from 'roles.bicep'

param logAnalyticsName string
param applicationInsightsName string
param location string
param tags object

@description('Principal id of the app\'s managed identity (Monitoring Metrics Publisher).')
param appPrincipalId string

@description('E-mail address alerts are sent to; empty creates the alert rules without a notification.')
param alertEmail string

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2026-03-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
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
    IngestionMode: 'LogAnalytics'
    // Only Entra ID authenticated telemetry is accepted (APPLICATIONINSIGHTS_AUTHENTICATION_STRING).
    DisableLocalAuth: true
  }
}

resource appMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, appPrincipalId, monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
  }
}

resource alertRecipients 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: 'ag-${applicationInsightsName}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'gateway'
    enabled: true
    emailReceivers: [
      {
        name: 'operator'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

var alertActions = empty(alertEmail) ? [] : [alertRecipients.id]

// The queries live in .kql files so docs/deploy.md can show exactly what the rules run.
var alerts = [
  {
    name: 'deadletter-growing'
    displayName: 'Gateway dead-letter queue is growing'
    description: 'Operations were dead-lettered in the last 30 minutes. Inspect GET /api/dead-letters, fix the cause, replay.'
    severity: 2
    windowSize: 'PT30M'
    query: loadTextContent('alerts/deadletter-growing.kql')
  }
  {
    name: 'circuit-open'
    displayName: 'Gateway stopped sending to Libromi (circuit open)'
    description: 'The gateway opened its circuit to Libromi; operations wait in the queues. Check the token (401/403) and Libromi status.'
    severity: 1
    windowSize: 'PT15M'
    query: loadTextContent('alerts/circuit-open.kql')
  }
]

resource alertRules 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = [
  for alert in alerts: {
    name: '${applicationInsightsName}-${alert.name}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: alert.displayName
      description: alert.description
      severity: alert.severity
      enabled: true
      scopes: [
        applicationInsights.id
      ]
      evaluationFrequency: 'PT5M'
      windowSize: alert.windowSize
      autoMitigate: true
      criteria: {
        allOf: [
          {
            query: alert.query
            timeAggregation: 'Count'
            operator: 'GreaterThan'
            threshold: 0
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      actions: {
        actionGroups: alertActions
      }
    }
  }
]

output applicationInsightsName string = applicationInsights.name
output logAnalyticsName string = logAnalytics.name
