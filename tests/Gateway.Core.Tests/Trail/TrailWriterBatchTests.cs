using Azure.Data.Tables;
using Libromi.Gateway.Trail;

namespace Libromi.Gateway.Tests.Trail;

public sealed class TrailWriterBatchTests
{
    [Fact]
    public void Delivery_rows_with_large_bodies_are_split_below_the_transaction_size_limit()
    {
        var rows = Enumerable.Range(0, 100)
            .Select(i => new TrailRow("trail20261203", new TableEntity("13", $"d{i:D3}") { ["Body"] = new byte[60 * 1024] }))
            .ToList();

        var batches = TrailWriter.Batches(rows).ToList();

        Assert.True(batches.Count > 1);
        Assert.All(batches, batch => Assert.True(batch.Sum(r => ((byte[])r.Entity["Body"]).Length * 4 / 3) < 4 * 1024 * 1024));
        Assert.Equal(rows.Select(r => r.Entity.RowKey), batches.SelectMany(b => b).Select(r => r.Entity.RowKey));
    }

    [Fact]
    public void Small_rows_go_a_hundred_to_a_transaction()
    {
        var rows = Enumerable.Range(0, 250).Select(i => new TrailRow("trail20261203", new TableEntity("13", $"p{i:D3}"))).ToList();

        Assert.Equal([100, 100, 50], TrailWriter.Batches(rows).Select(b => b.Count));
    }
}
