// Deliberately breaks every rule infra/bicepconfig.json raises to error. The lint policy test
// copies this file next to that config and expects each rule to report an error, which proves
// the rule names exist in the pinned Bicep CLI and that the configured level is applied.

param unusedParameter string

@secure()
param adminSecret string = 'not-a-good-default'

param backupPassword string

param stamp string = utcNow()

param vmLocation string

var unusedVariable = 'unused'

resource unusedExisting 'Microsoft.Storage/storageAccounts@2026-06-01' existing = {
  name: 'unusedexisting'
}

resource account 'Microsoft.Storage/storageAccounts@2019-06-01' = {
  name: 'acct${stamp}'
  location: 'westeurope'
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
}

resource vm 'Microsoft.Compute/virtualMachines@2025-04-01' = {
  name: 'vm'
  location: resourceGroup().location
  properties: {
    osProfile: {
      computerName: 'vm'
      adminUsername: 'azureuser'
      adminPassword: 'literal-password'
    }
    networkProfile: {
      networkInterfaces: [
        {
          id: '/subscriptions/${subscription().subscriptionId}/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic'
        }
      ]
    }
  }
}

resource script 'Microsoft.Compute/virtualMachines/extensions@2025-04-01' = {
  parent: vm
  name: 'script'
  location: vmLocation
  properties: {
    publisher: 'Microsoft.Azure.Extensions'
    type: 'CustomScript'
    typeHandlerVersion: '2.1'
    settings: {
      commandToExecute: 'echo ${adminSecret}'
    }
  }
  dependsOn: [
    vm
  ]
}

resource nested 'Microsoft.Resources/deployments@2025-04-01' = {
  name: 'nested'
  properties: {
    mode: 'Incremental'
    expressionEvaluationOptions: {
      scope: 'outer'
    }
    template: {
      '$schema': 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#'
      contentVersion: '1.0.0.0'
      resources: [
        {
          type: 'Microsoft.Storage/storageAccounts/blobServices'
          apiVersion: '2026-06-01'
          name: 'acct/default'
          properties: {
            secret: adminSecret
          }
        }
      ]
    }
  }
}

module child 'child.bicep' = {
  name: 'child'
}

output connection string = listKeys(resourceId('Microsoft.Storage/storageAccounts', account.name), '2019-06-01').keys[0].value
output managementEndpoint string = 'https://management.azure.com/'
output accountState string = reference(account.id, '2019-06-01').provisioningState
output backupPasswordLength int = length(backupPassword)
