using System.Text.Json;
using System.Text.RegularExpressions;
using IdentityProvider.Protocol.Primitives;

namespace IdentityProvider.Admin.Clients;

/// <summary>One refusal, with the registration field (the admin API's JSON member) it is about.</summary>
public sealed record ClientRegistrationError(string Field, string Message);

/// <summary>Refuses registrations that the protocol would later have to refuse request by request.</summary>
public static partial class ClientRegistrationValidator
{
    public static IReadOnlyList<string> Validate(ClientRegistration registration) =>
        [.. ValidateFields(registration).Select(e => e.Message)];

    /// <summary>The same refusals as <see cref="Validate"/>, each naming its field, for answers that point at the field.</summary>
    public static IReadOnlyList<ClientRegistrationError> ValidateFields(ClientRegistration registration)
    {
        var errors = new FieldErrors();
        if (!ClientIdFormat().IsMatch(registration.ClientId))
        {
            errors.Add("clientId", "client id must be 1-100 characters of letters, digits, '.', '_' or '-'.");
        }

        if (!ClientAuthenticationMethods.All.Contains(registration.AuthMethod))
        {
            errors.Add("tokenEndpointAuthMethod", $"token endpoint auth method '{registration.AuthMethod}' is not one of {string.Join(", ", ClientAuthenticationMethods.All)}.");
        }

        // RFC 6749 §2.1: a public client cannot authenticate, and a confidential one must.
        if (registration.Type == ClientType.Public && registration.AuthMethod != ClientAuthenticationMethods.None)
        {
            errors.Add("tokenEndpointAuthMethod", "a public client uses token endpoint auth method 'none'.");
        }

        if (registration.Type == ClientType.Confidential && registration.AuthMethod == ClientAuthenticationMethods.None)
        {
            errors.Add("tokenEndpointAuthMethod", "a confidential client must authenticate (client_secret_basic, client_secret_post or private_key_jwt).");
        }

        if (registration.AuthMethod == ClientAuthenticationMethods.PrivateKeyJwt && !IsJwks(registration.Jwks))
        {
            errors.Add("jwks", "private_key_jwt needs the client's public keys as a JWKS document ({\"keys\":[...]}).");
        }

        if (registration.GrantTypes.Count == 0)
        {
            errors.Add("grantTypes", $"at least one grant type is needed: {string.Join(", ", Protocol.Primitives.GrantTypes.All)}.");
        }

        foreach (var grantType in registration.GrantTypes.Where(g => !Protocol.Primitives.GrantTypes.All.Contains(g)))
        {
            errors.Add("grantTypes", $"grant type '{grantType}' is not supported.");
        }

        // RFC 6749 §4.4: client credentials are for clients that can keep a credential.
        if (registration.Type == ClientType.Public && registration.GrantTypes.Contains(Protocol.Primitives.GrantTypes.ClientCredentials))
        {
            errors.Add("grantTypes", "a public client cannot use client_credentials.");
        }

        if (registration.GrantTypes.Contains(Protocol.Primitives.GrantTypes.AuthorizationCode) && registration.RedirectUris.Count == 0)
        {
            errors.Add("redirectUris", "authorization_code needs at least one redirect URI.");
        }

        errors.AddRange("redirectUris", registration.RedirectUris.Select(uri => RedirectUriProblem(uri, "redirect URI")).OfType<string>());
        errors.AddRange("postLogoutRedirectUris", registration.PostLogoutRedirectUris.Select(uri => RedirectUriProblem(uri, "post-logout redirect URI")).OfType<string>());
        errors.AddRange("scopes", registration.Scopes.Where(scope => !ScopeToken().IsMatch(scope)).Select(scope => $"scope '{scope}' is not a valid scope token."));
        if (registration.RequiredAcr is { } acr && Policy.AssuranceLevels.FromAcr(acr) is null)
        {
            errors.Add("requiredAcr", $"required acr '{acr}' is not one of: {string.Join(", ", Policy.AssuranceLevels.SupportedAcrValues)}.");
        }

        return errors;
    }

    // RFC 6749 §3.1.2: absolute, no fragment. OAuth 2.0 Security BCP §2.6 / RFC 8252 §8.3: plain
    // http only for loopback addresses (native apps and local development).
    private static string? RedirectUriProblem(string value, string what)
    {
        // On Unix, Uri also reads a bare path ("/cb") as an absolute file URI; require a written scheme.
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || value.Contains(' ', StringComparison.Ordinal)
            || !value.StartsWith(uri.Scheme + ":", StringComparison.OrdinalIgnoreCase))
        {
            return $"{what} '{value}' is not an absolute URI.";
        }

        if (!string.IsNullOrEmpty(uri.Fragment) || value.Contains('#', StringComparison.Ordinal))
        {
            return $"{what} '{value}' must not contain a fragment.";
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
        {
            return $"{what} '{value}' must use https (plain http is allowed for localhost only).";
        }

        return uri.Scheme is "javascript" or "data" or "file" ? $"{what} '{value}' uses a forbidden scheme." : null;
    }

    private static bool IsJwks(string? jwks)
    {
        if (string.IsNullOrWhiteSpace(jwks))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(jwks);
            return document.RootElement.TryGetProperty("keys", out var keys) && keys.ValueKind == JsonValueKind.Array && keys.GetArrayLength() > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private sealed class FieldErrors : List<ClientRegistrationError>
    {
        public void Add(string field, string message) => Add(new ClientRegistrationError(field, message));

        public void AddRange(string field, IEnumerable<string> messages) => AddRange(messages.Select(m => new ClientRegistrationError(field, m)));
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,100}$")]
    private static partial Regex ClientIdFormat();

    // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
    [GeneratedRegex(@"^[\x21\x23-\x5B\x5D-\x7E]{1,200}$")]
    private static partial Regex ScopeToken();
}
