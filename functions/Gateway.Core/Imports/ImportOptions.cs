using System.ComponentModel.DataAnnotations;

namespace Libromi.Gateway.Imports;

/// <summary>Settings of bulk imports (<c>POST /api/imports</c>). Section <c>Imports</c>.</summary>
public sealed class ImportOptions
{
    public const string SectionName = "Imports";

    /// <summary>Libromi attribute that receives the <c>name</c> column.</summary>
    [Required]
    public string NameAttribute { get; set; } = "name";

    /// <summary>Libromi attribute that receives the <c>group</c> column.</summary>
    [Required]
    public string GroupAttribute { get; set; } = "group";

    /// <summary>
    /// Largest accepted file, in bytes. Libromi's own dashboard stops at 10 MB; the gateway allows more
    /// because it paces the rows itself, but the limit keeps one upload from occupying a worker for days.
    /// </summary>
    [Range(1, long.MaxValue)]
    public long MaxFileBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>
    /// Largest CSV record or JSON array element, in bytes (a CSV record counts its line break). Bigger is refused as
    /// <c>record_too_large</c> as soon as the limit is passed, so memory holds at most one record of this size instead of
    /// whatever an unclosed quote or a runaway element makes of the rest of the file (Sep gives up only past 16 M
    /// characters, after buffering about 32 MB). The default is a queue message (64 KB): a contact larger than that can
    /// never be delivered, so a larger record is a broken file, not a big contact.
    /// </summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxRecordBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Uploads read at once by this instance; one more is answered <c>429</c> with <c>Retry-After</c> before its body is
    /// read. Each upload holds a request, up to two staging batches (4 MB) and its duplicate set (up to 150 MB for a
    /// 50 MB file of bare phone numbers), so a few at a time keep a small instance's memory bounded.
    /// </summary>
    [Range(1, 64)]
    public int MaxConcurrent { get; set; } = 2;

    /// <summary>Country code for numbers written in national format (leading 0); none by default.</summary>
    [RegularExpression("^[1-9][0-9]{0,2}$")]
    public string? DefaultCountryCode { get; set; }

    /// <summary>
    /// Rows packed into one bulk-lane message. One message per row would cost a queue write, read and delete per row;
    /// a pack costs them once (docs/imports.md). Packs are also cut below the queue's 64 KB message size.
    /// </summary>
    [Range(1, 200)]
    public int RowsPerMessage { get; set; } = 50;

    /// <summary>Messages sent to the bulk queue at once when an accepted file is queued.</summary>
    [Range(1, 64)]
    public int EnqueueConcurrency { get; set; } = 16;
}
