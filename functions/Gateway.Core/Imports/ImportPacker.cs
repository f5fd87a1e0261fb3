using System.Text;
using System.Text.Json;
using Libromi.Gateway.Queueing;
using Libromi.Gateway.Operations;

namespace Libromi.Gateway.Imports;

/// <summary>
/// Packs consecutive valid rows into bulk-lane messages of up to <see cref="ImportOptions.RowsPerMessage"/> contacts
/// (and under the queue's message size), numbering each pack as a chunk and each row's place in it.
/// </summary>
internal sealed class ImportPacker(string importId, string correlationId, DateTimeOffset receivedAt, int rowsPerMessage)
{
    /// <summary>Room left in a 48 KB message for the fields the first contact carries at the top level.</summary>
    private const int EnvelopeOverheadBytes = 1024;
    public const int MaxPackBytes = 40 * 1024;

    private readonly List<OperationEnvelope> _contacts = new(rowsPerMessage);
    private int _bytes = EnvelopeOverheadBytes;
    private int _chunk;

    public string Source { get; } = "import:" + importId;

    public int ChunkCount => _chunk;

    /// <summary>Adds <paramref name="row"/>; returns the pack it completed, if any. Null result with <paramref name="tooLarge"/> set: the row alone exceeds a message.</summary>
    public StagedChunk? Add(ImportRow row, out bool tooLarge)
    {
        var contact = new OperationEnvelope
        {
            OperationId = Guid.CreateVersion7(receivedAt).ToString("N"),
            PhoneNumber = row.Operations.PhoneNumber.Digits,
            Steps = row.Operations.Steps,
            Source = Source,
            Lane = Lane.Bulk,
            ReceivedAt = receivedAt,
            CorrelationId = correlationId,
        };
        var size = JsonSerializer.SerializeToUtf8Bytes(
            new PackedOperation(contact.OperationId, contact.PhoneNumber, contact.Steps, new ImportPosition(int.MaxValue, int.MaxValue, row.Line)),
            ImportJsonContext.Default.PackedOperation).Length + 1;
        tooLarge = size + EnvelopeOverheadBytes > MaxPackBytes;
        if (tooLarge)
        {
            return null;
        }

        StagedChunk? completed = null;
        if (_contacts.Count == rowsPerMessage || _bytes + size > MaxPackBytes)
        {
            completed = Seal();
        }
        _contacts.Add(contact with { Import = new ImportPosition(_chunk, _contacts.Count, row.Line) });
        _bytes += size;
        return completed;
    }

    /// <summary>The last, partly filled pack.</summary>
    public StagedChunk? Complete() => _contacts.Count > 0 ? Seal() : null;

    private StagedChunk Seal()
    {
        var payload = Encoding.UTF8.GetBytes(EnvelopeSerializer.Serialize(OperationEnvelope.Pack(_contacts)));
        var chunk = new StagedChunk(_chunk++, payload, _contacts.Count);
        _contacts.Clear();
        _bytes = EnvelopeOverheadBytes;
        return chunk;
    }
}

internal sealed record StagedChunk(int Chunk, byte[] Payload, int Rows);
