namespace Libromi.Gateway.Infra.Tests.Policies;

internal static class ResourceTypes
{
    public const string ResourceGroup = "Microsoft.Resources/resourceGroups";
    public const string StorageAccount = "Microsoft.Storage/storageAccounts";
    public const string BlobContainer = "Microsoft.Storage/storageAccounts/blobServices/containers";
    public const string Queue = "Microsoft.Storage/storageAccounts/queueServices/queues";
    public const string Table = "Microsoft.Storage/storageAccounts/tableServices/tables";
    public const string KeyVault = "Microsoft.KeyVault/vaults";
    public const string Plan = "Microsoft.Web/serverfarms";
    public const string Site = "Microsoft.Web/sites";
    public const string PublishingCredentialsPolicy = "Microsoft.Web/sites/basicPublishingCredentialsPolicies";
    public const string ApplicationInsights = "Microsoft.Insights/components";
    public const string ScheduledQueryRule = "Microsoft.Insights/scheduledQueryRules";
    public const string RoleAssignment = "Microsoft.Authorization/roleAssignments";
}
