using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;

namespace Libromi.Gateway.Imports;

/// <summary>
/// Splits a JSON array into its elements with <see cref="Utf8JsonReader"/> over a buffer that holds the element being
/// read and nothing before it, and checks every string and property name on the way.
/// </summary>
/// <remarks>
/// <see cref="JsonSerializer.DeserializeAsyncEnumerable{TValue}(Stream, JsonSerializerOptions?, CancellationToken)"/>
/// buffers an element whole before anyone can look at it (a 20 MB element cost about 150 MB), and hands out strings
/// it never transcoded, so invalid UTF-8 or an escaped lone surrogate threw later, in mapping code, as a 500. Reading
/// the tokens here lets an element be refused at <see cref="ImportOptions.MaxRecordBytes"/> while it is still
/// arriving, and invalid text be refused as the file error it is, both naming the element.
/// </remarks>
internal sealed class JsonArrayElements(Stream body, int maxElementBytes)
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    private byte[] _buffer = new byte[16 * 1024];
    private int _scanned;
    private int _end;
    private int _elementStart = -1;
    private bool _bodyEnded;
    private bool _arrayEnded;
    private bool _started;
    private bool _markChecked;
    private JsonReaderState _state = new(ReaderOptions);

    /// <summary>Elements returned so far; the next one's number is this plus one.</summary>
    public int Count { get; private set; }

    /// <summary>The next element (owning its memory), or null once the array and the body ended.</summary>
    /// <exception cref="ImportFileException">Malformed JSON, invalid text, or an element over the limit.</exception>
    public async ValueTask<JsonElement?> NextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var step = Scan();
            if (step.Element is { } element)
            {
                Count++;
                return element;
            }
            if (step.Done)
            {
                return null;
            }
            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        var keepFrom = _elementStart >= 0 ? _elementStart : _scanned;
        if (_end - keepFrom > maxElementBytes)
        {
            throw TooLarge();
        }
        if (keepFrom > 0)
        {
            _buffer.AsSpan(keepFrom, _end - keepFrom).CopyTo(_buffer);
            _end -= keepFrom;
            _scanned -= keepFrom;
            if (_elementStart >= 0)
            {
                _elementStart -= keepFrom;
            }
        }
        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        var read = await body.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        _end += read;
        _bodyEnded = read == 0;
    }

    private (JsonElement? Element, bool Done) Scan()
    {
        if (!_markChecked)
        {
            if (_end < 3 && !_bodyEnded)
            {
                return (null, false);
            }
            // Utf8JsonReader does not skip a byte order mark; Windows editors write one.
            _scanned = _buffer.AsSpan(0, _end).StartsWith("\uFEFF"u8) ? 3 : 0;
            _markChecked = true;
        }
        var reader = new Utf8JsonReader(_buffer.AsSpan(_scanned, _end - _scanned), _bodyEnded, _state);
        var origin = _scanned;
        try
        {
            while (reader.Read())
            {
                if (!_started)
                {
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        throw new ImportFileException(ImportFileErrorCodes.NotAJsonArray, "The JSON must be an array of contacts ([{\"phone_number\": ...}, ...]).");
                    }
                    _started = true;
                    continue;
                }
                if (_arrayEnded)
                {
                    continue;
                }
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
                {
                    CheckText(ref reader);
                }
                if (reader.CurrentDepth == 0)
                {
                    _arrayEnded = true; // the closing bracket
                    continue;
                }
                if (reader.CurrentDepth > 1)
                {
                    continue;
                }
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    _elementStart = origin + (int)reader.TokenStartIndex;
                    continue;
                }
                var start = reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray ? _elementStart : origin + (int)reader.TokenStartIndex;
                var end = origin + (int)reader.BytesConsumed;
                _elementStart = -1;
                if (end - start > maxElementBytes)
                {
                    throw TooLarge();
                }
                Save(ref reader, origin);
                return (Parse(start, end), false);
            }
        }
        catch (JsonException e)
        {
            throw new ImportFileException(
                ImportFileErrorCodes.MalformedJson,
                string.Create(CultureInfo.InvariantCulture,
                    $"The JSON is malformed in element {Count + 1} (line {e.LineNumber + 1} of the file, byte {e.BytePositionInLine + 1}); no later element can be read."),
                Count + 1);
        }
        Save(ref reader, origin);
        return (null, _bodyEnded);
    }

    private void Save(ref Utf8JsonReader reader, int origin)
    {
        _scanned = origin + (int)reader.BytesConsumed;
        _state = reader.CurrentState;
    }

    private JsonElement Parse(int start, int end)
    {
        // ParseValue copies the element's bytes, so the buffer can be reused while the element is mapped and kept.
        var reader = new Utf8JsonReader(_buffer.AsSpan(start, end - start), ReaderOptions);
        return JsonElement.ParseValue(ref reader);
    }

    /// <summary>
    /// The reader does not validate the text of strings; a raw invalid byte or an escaped lone surrogate would throw
    /// only when mapping code reads the string. Unescaped strings (nearly all) are checked without a copy.
    /// </summary>
    private void CheckText(ref Utf8JsonReader reader)
    {
        bool valid;
        if (reader.ValueIsEscaped)
        {
            try
            {
                _ = reader.GetString();
                valid = true;
            }
            catch (InvalidOperationException)
            {
                valid = false;
            }
        }
        else
        {
            valid = Utf8.IsValid(reader.ValueSpan);
        }
        if (!valid)
        {
            var what = reader.TokenType == JsonTokenType.PropertyName ? "a property name" : "a string";
            throw new ImportFileException(
                ImportFileErrorCodes.InvalidEncoding,
                string.Create(CultureInfo.InvariantCulture,
                    $"Element {Count + 1} holds {what} that is not valid UTF-8 text: bytes that are not UTF-8, or an escaped lone surrogate such as \\ud800. Save the file as UTF-8."),
                Count + 1);
        }
    }

    private ImportFileException TooLarge() => new(
        ImportFileErrorCodes.RecordTooLarge,
        string.Create(CultureInfo.InvariantCulture,
            $"Element {Count + 1} of the array is larger than {maxElementBytes:N0} bytes (Imports__MaxRecordBytes); a contact never needs that much. It was refused before the rest of it was read."),
        Count + 1);
}
