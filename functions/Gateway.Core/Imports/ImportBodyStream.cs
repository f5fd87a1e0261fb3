using System.Globalization;

namespace Libromi.Gateway.Imports;

/// <summary>
/// The request body as the readers see it: counted, cut off past <see cref="ImportOptions.MaxFileBytes"/>, and
/// peekable so the format's first bytes (CSV delimiter, JSON's opening bracket) can be inspected before the
/// parser takes over. The byte limit is enforced here rather than trusted from <c>Content-Length</c>, which
/// chunked uploads do not send. Never buffers more than the peeked head; does not own the inner stream.
/// </summary>
internal sealed class ImportBodyStream(Stream inner, long maxBytes) : ForwardOnlyReadStream
{
    private byte[] _head = [];
    private int _headStart;
    private int _headEnd;
    private bool _innerEnded;

    public long BytesPulled { get; private set; }

    /// <summary>
    /// Returns at least <paramref name="minimumBytes"/> unread bytes (fewer only at the end of the body)
    /// without consuming them.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>> PeekAsync(int minimumBytes, CancellationToken cancellationToken)
    {
        if (_head.Length - _headStart < minimumBytes)
        {
            var grown = new byte[minimumBytes];
            _head.AsSpan(_headStart, _headEnd - _headStart).CopyTo(grown);
            _headEnd -= _headStart;
            _headStart = 0;
            _head = grown;
        }
        while (_headEnd - _headStart < minimumBytes && !_innerEnded)
        {
            var read = await ReadInnerAsync(_head.AsMemory(_headEnd, minimumBytes - (_headEnd - _headStart)), cancellationToken).ConfigureAwait(false);
            _headEnd += read;
        }
        return _head.AsMemory(_headStart, _headEnd - _headStart);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_headEnd > _headStart)
        {
            return CopyFromHead(buffer.Span);
        }
        return await ReadInnerAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(Span<byte> buffer)
    {
        if (_headEnd > _headStart)
        {
            return CopyFromHead(buffer);
        }
        if (_innerEnded || buffer.IsEmpty)
        {
            return 0;
        }
        var read = inner.Read(buffer[..AllowedLength(buffer.Length)]);
        return Count(read);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    private async ValueTask<int> ReadInnerAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_innerEnded || buffer.IsEmpty)
        {
            return 0;
        }
        var read = await inner.ReadAsync(buffer[..AllowedLength(buffer.Length)], cancellationToken).ConfigureAwait(false);
        return Count(read);
    }

    // Asking for at most one byte past the limit is enough to know it was exceeded, so an oversized body is
    // refused after reading MaxFileBytes + 1 bytes, not a buffer's worth more.
    private int AllowedLength(int requested) => (int)Math.Min(requested, maxBytes - BytesPulled + 1);

    private int Count(int read)
    {
        if (read == 0)
        {
            _innerEnded = true;
            return 0;
        }
        BytesPulled += read;
        if (BytesPulled > maxBytes)
        {
            throw new ImportFileException(
                ImportFileErrorCodes.FileTooLarge,
                string.Create(CultureInfo.InvariantCulture, $"The file is larger than the import limit of {maxBytes:N0} bytes."));
        }
        return read;
    }

    private int CopyFromHead(Span<byte> destination)
    {
        var count = Math.Min(destination.Length, _headEnd - _headStart);
        _head.AsSpan(_headStart, count).CopyTo(destination);
        _headStart += count;
        return count;
    }
}
