using System.Text;
using Libromi.Gateway.Imports;

namespace Libromi.Gateway.Tests.Imports;

/// <summary>Runs the reader over in-memory files the way the import endpoint will over a request body.</summary>
internal static class ImportReading
{
    public static Task<List<ImportRowResult>> ReadCsvAsync(string content, ImportOptions? options = null, bool byteOrderMark = false) =>
        ReadAsync(Encode(content, byteOrderMark), ImportFormat.Csv, options);

    public static Task<List<ImportRowResult>> ReadJsonAsync(string content, ImportOptions? options = null) =>
        ReadAsync(Encode(content, byteOrderMark: false), ImportFormat.Json, options);

    public static async Task<List<ImportRowResult>> ReadAsync(byte[] content, ImportFormat format, ImportOptions? options = null)
    {
        using var body = new MemoryStream(content, writable: false);
        var results = new List<ImportRowResult>();
        await foreach (var result in ContactFileReader.ReadAsync(body, format, options ?? new ImportOptions()))
        {
            results.Add(result);
        }
        return results;
    }

    public static byte[] Encode(string content, bool byteOrderMark) =>
        byteOrderMark ? [.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes(content)] : Encoding.UTF8.GetBytes(content);
}

/// <summary>
/// A request body that is generated while it is read and remembers how much was pulled from it, so a test can
/// tell whether the reader consumed it progressively or buffered it.
/// </summary>
internal sealed class GeneratedBodyStream(string header, Func<int, string> record, int records, string footer = "") : ForwardOnlyReadStream
{
    private readonly byte[] _header = Encoding.UTF8.GetBytes(header);
    private readonly byte[] _footer = Encoding.UTF8.GetBytes(footer);
    private byte[] _current = [];
    private int _offset;
    private int _nextRecord = -1;

    public long BytesPulled { get; private set; }

    public bool Finished { get; private set; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (_offset == _current.Length)
        {
            if (!Advance())
            {
                Finished = true;
                return 0;
            }
        }
        var n = Math.Min(buffer.Length, _current.Length - _offset);
        _current.AsSpan(_offset, n).CopyTo(buffer);
        _offset += n;
        BytesPulled += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    private bool Advance()
    {
        _offset = 0;
        _nextRecord++;
        if (_nextRecord == 0)
        {
            _current = _header;
        }
        else if (_nextRecord <= records)
        {
            _current = Encoding.UTF8.GetBytes(record(_nextRecord - 1));
        }
        else if (_nextRecord == records + 1)
        {
            _current = _footer;
        }
        else
        {
            return false;
        }
        return true;
    }
}
