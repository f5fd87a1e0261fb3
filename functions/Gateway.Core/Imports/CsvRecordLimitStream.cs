using System.Globalization;

namespace Libromi.Gateway.Imports;

/// <summary>
/// Measures each CSV record in the bytes on their way to the parser and refuses the file once one record passes
/// <see cref="ImportOptions.MaxRecordBytes"/>. Sep keeps a record whole in its buffer until the record ends, and an
/// unclosed quote makes the rest of the file one record: without this, the parser would buffer up to its own limit
/// (16 M characters, about 32 MB) and then throw. Quotes toggle the quoted state wherever they occur, as Sep and the
/// separator detection treat them, so a line break counts as a record end exactly when the parser sees one.
/// </summary>
internal sealed class CsvRecordLimitStream(Stream inner, int maxRecordBytes) : ForwardOnlyReadStream
{
    private bool _quoted;
    private long _recordBytes;
    private int _line = 1;
    private int _recordLine = 1;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Measure(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        Measure(buffer[..read]);
        return read;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    private void Measure(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var next = bytes.IndexOfAny((byte)'"', (byte)'\n');
            var run = next < 0 ? bytes.Length : next + 1;
            _recordBytes += run;
            if (_recordBytes > maxRecordBytes)
            {
                throw new ImportFileException(
                    ImportFileErrorCodes.RecordTooLarge,
                    string.Create(CultureInfo.InvariantCulture,
                        $"The record starting on line {_recordLine} is longer than {maxRecordBytes:N0} bytes (Imports__MaxRecordBytes). A quote that is not closed makes the rest of the file one record; look for it on that line."),
                    _recordLine);
            }
            if (next >= 0 && bytes[next] == (byte)'"')
            {
                _quoted = !_quoted;
            }
            else if (next >= 0)
            {
                _line++;
                if (!_quoted)
                {
                    _recordBytes = 0;
                    _recordLine = _line;
                }
            }
            bytes = bytes[run..];
        }
    }
}
