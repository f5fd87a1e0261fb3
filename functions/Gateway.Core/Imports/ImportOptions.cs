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
