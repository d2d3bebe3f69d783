using System.Text.Json;

namespace IdentityProvider.Admin.Api;

/// <summary>
/// Enum values as the admin API writes and reads them: camelCase names (<c>allUsers</c>), never
/// numbers. The API's records carry them as strings, so the OpenAPI document shows strings too.
/// </summary>
public static class AdminApiEnums
{
    public static string Name<T>(T value) where T : struct, Enum =>
        JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    public static IReadOnlyList<string> Names<T>() where T : struct, Enum =>
        [.. Enum.GetValues<T>().Select(Name)];

    /// <summary>Exact names only: unlike <see cref="Enum.TryParse{TEnum}(string, out TEnum)"/>, "1" or "AllUsers, Roles" is not a value.</summary>
    public static bool TryParse<T>(string name, out T value) where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (string.Equals(Name(candidate), name, StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }
}
