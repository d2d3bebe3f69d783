namespace IdentityProvider.Tests.Infrastructure;

/// <summary>
/// What <see cref="UpstreamOidcProvider"/> starts with. Serialized in snake_case, so a client is
/// oidc-provider client metadata as-is; null members are left out and take oidc-provider's default.
/// </summary>
public sealed record UpstreamProviderConfig
{
    /// <summary>0 for any free port; a fixed one to bring a provider back where a relying party already points.</summary>
    public int Port { get; init; }

    public IReadOnlyList<UpstreamClient> Clients { get; init; } = [];

    public IReadOnlyList<UpstreamAccount> Accounts { get; init; } = [];
}

/// <summary>
/// A relying party registered at the upstream (oidc-provider client metadata). The defaults are a
/// confidential web client using the authorization code flow with <c>client_secret_basic</c>.
/// </summary>
public sealed record UpstreamClient(string ClientId, IReadOnlyList<string> RedirectUris)
{
    public const string DefaultSecret = "upstream-client-secret-for-tests-only";

    /// <summary>null for <c>private_key_jwt</c> and <c>none</c>.</summary>
    public string? ClientSecret { get; init; } = DefaultSecret;

    /// <summary><c>client_secret_basic</c>, <c>client_secret_post</c>, <c>private_key_jwt</c> (with <see cref="JwksUri"/>) or <c>none</c>.</summary>
    public string TokenEndpointAuthMethod { get; init; } = "client_secret_basic";

    /// <summary>Where the upstream fetches the client's keys for <c>private_key_jwt</c>; loopback http is allowed.</summary>
    public string? JwksUri { get; init; }

    /// <summary>The signing algorithm of the client's assertions; null lets any supported one through.</summary>
    public string? TokenEndpointAuthSigningAlg { get; init; }

    public IReadOnlyList<string> PostLogoutRedirectUris { get; init; } = [];

    /// <summary><c>RS256</c>, <c>PS256</c> or <c>ES256</c> (the upstream holds an RSA and a P-256 key).</summary>
    public string IdTokenSignedResponseAlg { get; init; } = "RS256";

    public IReadOnlyList<string> GrantTypes { get; init; } = ["authorization_code"];
}

/// <summary>
/// A user of the upstream. <see cref="Login"/> and <see cref="Password"/> are what the login form
/// takes; the ID token carries <see cref="Sub"/>, <see cref="Email"/>, <see cref="EmailVerified"/>,
/// <see cref="Name"/> and <see cref="Groups"/> (scopes <c>email</c>, <c>profile</c>, <c>groups</c>),
/// and <see cref="Amr"/> and <see cref="Acr"/> as the result of the sign-in.
/// </summary>
public sealed record UpstreamAccount(string Sub, string Login, string Password = UpstreamAccount.DefaultPassword)
{
    public const string DefaultPassword = "correct horse battery staple";

    public string? Email { get; init; } = $"{Login}@upstream.example";

    public bool? EmailVerified { get; init; } = true;

    public string? Name { get; init; }

    public IReadOnlyList<string> Groups { get; init; } = [];

    /// <summary>RFC 8176 values the ID token reports; null leaves <c>amr</c> out.</summary>
    public IReadOnlyList<string>? Amr { get; init; } = ["pwd"];

    /// <summary>null leaves <c>acr</c> out; every value set here is advertised in <c>acr_values_supported</c>.</summary>
    public string? Acr { get; init; }
}
