namespace IdentityProvider.Persistence.Stores;

/// <summary>Lists of space-free tokens (scopes, grant types, amr values, URIs) in one column.</summary>
internal static class SpaceSeparated
{
    public static string Join(IEnumerable<string> values) => string.Join(' ', values);

    public static string[] Split(string? value) => (value ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
