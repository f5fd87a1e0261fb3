using Libromi.Gateway.Infra.Tests.Bicep;

namespace Libromi.Gateway.Infra.Tests.Policies;

[Collection(CompiledInfraCollection.Name)]
public sealed class StoragePolicyTests(CompiledInfraFixture infra)
{
    [Fact]
    public void Storage_account_refuses_shared_key_access()
    {
        var account = infra.Template.SingleOfType(ResourceTypes.StorageAccount);
        Assert.Equal("false", account.Text("properties.allowSharedKeyAccess"));
        Assert.Equal("true", account.Text("properties.defaultToOAuthAuthentication"));
    }

    [Fact]
    public void Storage_account_refuses_public_blob_access_plain_http_and_tls_below_1_2()
    {
        var account = infra.Template.SingleOfType(ResourceTypes.StorageAccount);
        Assert.Equal("false", account.Text("properties.allowBlobPublicAccess"));
        Assert.Equal("true", account.Text("properties.supportsHttpsTrafficOnly"));
        Assert.Equal("TLS1_2", account.Text("properties.minimumTlsVersion"));
    }

    [Fact]
    public void Deployment_and_drain_containers_are_private()
    {
        var containers = infra.Template.ResourcesOfType(ResourceTypes.BlobContainer).ToArray();
        Assert.Equal(2, containers.Length);
        Assert.All(containers, container => Assert.Equal("None", container.Text("properties.publicAccess")));
        Assert.Contains(containers, container => (container.Text("name") ?? "").Contains("'" + global::Libromi.Gateway.Queueing.DrainLeadership.ContainerName + "'", StringComparison.Ordinal));
    }

    [Fact]
    public void Template_creates_the_gateway_queues_including_the_wake_queue_and_the_poison_backstops()
    {
        var queue = infra.Template.SingleOfType(ResourceTypes.Queue);
        Assert.Contains("variables('queueNames')[copyIndex()]", queue.Text("name"), StringComparison.Ordinal);
        Assert.Equal("[length(variables('queueNames'))]", queue.Text("copy.count"));

        var names = queue.Template.Variable("queueNames")!.AsArray().Select(name => name!.GetValue<string>());
        Assert.Equal(
            ["operations-bulk", "operations-bulk-poison", "operations-realtime", "operations-realtime-poison", global::Libromi.Gateway.Queueing.QueueNames.Wake,
                global::Libromi.Gateway.Queueing.QueueNames.ReplayJobs, global::Libromi.Gateway.Queueing.QueueNames.PoisonOf(global::Libromi.Gateway.Queueing.QueueNames.ReplayJobs)],
            names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Template_creates_the_gateway_tables()
    {
        var table = infra.Template.SingleOfType(ResourceTypes.Table);
        Assert.Contains("variables('tableNames')[copyIndex()]", table.Text("name"), StringComparison.Ordinal);
        Assert.Equal("[length(variables('tableNames'))]", table.Text("copy.count"));

        var names = table.Template.Variable("tableNames")!.AsArray().Select(name => name!.GetValue<string>());
        Assert.Equal(["deadletters", "deliveries", "figures", "imports", "ratelimit", global::Libromi.Gateway.Replays.ReplayJobStore.TableName, "scenariointents"], names.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("listKeys")]
    [InlineData("listAccountSas")]
    [InlineData("listServiceSas")]
    [InlineData("AccountKey=")]
    [InlineData("SharedAccessSignature")]
    public void Template_never_reads_or_writes_storage_keys(string keyMaterial)
    {
        Assert.DoesNotContain(keyMaterial, infra.Build.StandardOutput, StringComparison.OrdinalIgnoreCase);
    }
}
