namespace Libromi.Gateway.Imports;

/// <summary>
/// A stream read once from start to end, as a request body is: no length, no seeking, no writing. Subclasses
/// implement <see cref="Stream.Read(byte[], int, int)"/> (and the span and async overloads when they can do better).
/// </summary>
public abstract class ForwardOnlyReadStream : Stream
{
    public sealed override bool CanRead => true;
    public sealed override bool CanSeek => false;
    public sealed override bool CanWrite => false;
    public sealed override long Length => throw new NotSupportedException();
    public sealed override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public sealed override void Flush() { }
    public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public sealed override void SetLength(long value) => throw new NotSupportedException();
    public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
