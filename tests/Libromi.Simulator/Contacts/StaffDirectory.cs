namespace Libromi.Simulator.Contacts;

/// <summary>A staff member as Libromi shows it in <c>assigned_staff</c>.</summary>
public sealed record StaffMember(long Id, string Name, string Email);

/// <summary>The company's staff; assign-staff's <c>username</c> is the staff member's e-mail.</summary>
public sealed class StaffDirectory
{
    private readonly Dictionary<string, StaffMember> _byEmail = new(StringComparer.OrdinalIgnoreCase);

    public StaffDirectory(SimulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var email in options.Staff.Select(e => e.Trim()).Where(e => e.Length > 0))
        {
            var at = email.IndexOf('@', StringComparison.Ordinal);
            var name = at > 0 ? email[..at] : email;
            _byEmail.TryAdd(email, new StaffMember(_byEmail.Count + 1, name, email));
        }
    }

    /// <summary>E-mail addresses compare case-insensitively, as mail systems do.</summary>
    public StaffMember? Find(string username) => _byEmail.GetValueOrDefault(username.Trim());
}
