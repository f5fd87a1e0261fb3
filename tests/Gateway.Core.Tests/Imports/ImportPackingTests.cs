using System.Text;
using System.Text.Json.Nodes;
using Libromi.Gateway.Imports;
using Libromi.Gateway.Operations;
using Libromi.Gateway.Queueing;

namespace Libromi.Gateway.Tests.Imports;

public sealed class ImportPackingTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static ImportRow Row(int line, string? city = null, string? staff = null)
    {
        Assert.True(PhoneNumber.TryParse($"4477009{line:D5}", null, out var phone, out _));
        List<OperationStep> steps = [city is null ? OperationStep.EnsureContact() : OperationStep.UpdateAttributes(new JsonObject { ["city"] = city })];
        if (staff is not null)
        {
            steps.Add(OperationStep.AssignStaff(staff));
        }
        return new ImportRow(line, new ContactOperations(phone.Value, steps));
    }

    private static OperationEnvelope Parse(StagedChunk chunk)
    {
        Assert.True(EnvelopeSerializer.TryDeserialize(Encoding.UTF8.GetString(chunk.Payload), out var envelope, out var error), error);
        return envelope;
    }

    [Fact]
    public void Rows_are_packed_in_file_order_with_their_chunk_position_and_line()
    {
        var packer = new ImportPacker("abc", "corr", Now, rowsPerMessage: 3);
        var chunks = Enumerable.Range(2, 7).Select(line => packer.Add(Row(line, "Leeds"), out _)).OfType<StagedChunk>().ToList();
        chunks.Add(packer.Complete()!);

        Assert.Equal([3, 3, 1], chunks.Select(c => c.Rows));
        var contacts = chunks.Select(Parse).SelectMany(e => e.Unpack()).ToList();
        Assert.Equal(Enumerable.Range(2, 7), contacts.Select(c => c.Import!.Line));
        Assert.Equal([(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (2, 0)], contacts.Select(c => (c.Import!.Chunk, c.Import.Seq)));
        Assert.All(contacts, c => Assert.Equal(("import:abc", Lane.Bulk), (c.Source, c.Lane)));
        Assert.Equal(OperationEnvelope.PackedVersion, Parse(chunks[0]).Version);
        Assert.Equal(OperationEnvelope.CurrentVersion, Parse(chunks[2]).Version);
    }

    [Fact]
    public void A_pack_is_cut_before_it_outgrows_a_queue_message()
    {
        var packer = new ImportPacker("abc", "corr", Now, rowsPerMessage: 200);
        var bigCity = new string('x', 5000);
        var chunks = Enumerable.Range(2, 30).Select(line => packer.Add(Row(line, bigCity), out _)).OfType<StagedChunk>().ToList();

        Assert.NotEmpty(chunks);
        Assert.All(chunks, c => Assert.True(c.Payload.Length <= EnvelopeSerializer.MaxMessageJsonBytes, $"{c.Payload.Length} bytes"));
    }

    [Fact]
    public void A_row_larger_than_a_message_is_refused_alone()
    {
        var packer = new ImportPacker("abc", "corr", Now, rowsPerMessage: 50);
        Assert.Null(packer.Add(Row(2), out var first));
        Assert.Null(packer.Add(Row(3, new string('x', 50_000)), out var second));

        Assert.False(first);
        Assert.True(second);
        Assert.Equal(1, packer.Complete()!.Rows);
    }

    [Fact]
    public void Unpacked_contacts_keep_their_steps_and_only_the_first_keeps_attempts()
    {
        var packer = new ImportPacker("abc", "corr", Now, rowsPerMessage: 5);
        packer.Add(Row(2, "Leeds", "agent@example.com"), out _);
        packer.Add(Row(3), out _);
        var packed = Parse(packer.Complete()!) with { Attempt = 2 };

        var contacts = packed.Unpack();

        Assert.Equal([OperationKind.UpdateAttributes, OperationKind.AssignStaff], contacts[0].Steps.Select(s => s.Kind));
        Assert.Equal([OperationKind.EnsureContact], contacts[1].Steps.Select(s => s.Kind));
        Assert.Equal([2, 0], contacts.Select(c => c.Attempt));
        Assert.All(contacts, c => Assert.Null(c.Then));
        Assert.Equal(EnvelopeSerializer.Serialize(packed), EnvelopeSerializer.Serialize(OperationEnvelope.Pack(contacts)));
    }

    [Fact]
    public void A_version_one_message_unpacks_to_itself()
    {
        var single = new OperationEnvelope
        {
            OperationId = "op", PhoneNumber = "447700900123", Steps = [OperationStep.EnsureContact()], Source = "api", ReceivedAt = Now, CorrelationId = "c",
        };

        Assert.Equal([single], single.Unpack());
    }
}
