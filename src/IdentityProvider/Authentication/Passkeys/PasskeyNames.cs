using IdentityProvider.Persistence.Configurations;

namespace IdentityProvider.Authentication.Passkeys;

/// <summary>The names users give their passkeys ("Work laptop"), so they can tell them apart.</summary>
public static class PasskeyNames
{
    public const string Required = "Give the passkey a name, such as the device it is on.";
    public const string TooLong = "The name can be at most 100 characters.";
    public const string Unprintable = "The name can only contain printable characters.";
    public const string LimitReached = "You have reached the maximum number of passkeys. Remove one before adding another.";

    /// <returns>The message for an unusable name, or null with the trimmed name in <paramref name="name"/>.</returns>
    public static string? Validate(string? input, out string name)
    {
        name = (input ?? "").Trim();
        if (name.Length == 0)
        {
            return Required;
        }

        if (name.Length > PasskeyColumns.NameMaxLength)
        {
            return TooLong;
        }

        return name.Any(char.IsControl) ? Unprintable : null;
    }
}
