namespace IdentityProvider.Federation;

/// <summary>Bound from <c>Federation</c>.</summary>
public sealed class FederationOptions
{
    public const string SectionName = "Federation";

    /// <summary>Upstream providers defined in configuration (read-only at run time; checked at start).</summary>
    public List<ConfiguredUpstreamProvider> Providers { get; set; } = [];

    /// <summary>How long an upstream's discovery document and JWKS are cached. Default 1 hour.</summary>
    public TimeSpan MetadataLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Least time between two JWKS fetches caused by an ID token naming an unknown <c>kid</c>, per
    /// upstream: a flood of forged tokens cannot make this provider hammer the upstream. Default 30 s.
    /// </summary>
    public TimeSpan JwksRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Limit of one HTTP call to an upstream (discovery, JWKS, token, userinfo). Default 10 s.</summary>
    public TimeSpan HttpTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the upstream may take to send the user back. Default 10 minutes.</summary>
    public TimeSpan StateLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Clock difference tolerated for <c>exp</c> and <c>iat</c> (OIDC Core §3.1.3.7 steps 9-10). Default 2 minutes.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>An ID token issued longer ago than this was not minted for this sign-in (step 10). Default 10 minutes.</summary>
    public TimeSpan MaxIdTokenAge { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>One entry of <c>Federation:Providers</c>; see <see cref="UpstreamProvider"/> for the meaning of each.</summary>
public sealed class ConfiguredUpstreamProvider
{
    public string Id { get; set; } = "";

    public string DisplayName { get; set; } = "";

    public string Issuer { get; set; } = "";

    public string ClientId { get; set; } = "";

    public string? ClientSecret { get; set; }

    /// <summary><c>client_secret_basic</c> (default), <c>client_secret_post</c> or <c>private_key_jwt</c>.</summary>
    public string ClientAuthentication { get; set; } = "client_secret_basic";

    /// <summary>Default <c>openid profile email</c>; must include <c>openid</c>.</summary>
    public List<string>? Scopes { get; set; }

    public ConfiguredClaimMapping Claims { get; set; } = new();

    /// <summary><c>bypass</c> (default), <c>require-local</c> or <c>trust-upstream-amr</c>.</summary>
    public string MfaRule { get; set; } = "bypass";

    public bool ProvisionUsers { get; set; } = true;

    public bool LinkByEmail { get; set; }

    public List<string>? Domains { get; set; }

    public bool Enabled { get; set; } = true;
}

public sealed class ConfiguredClaimMapping
{
    public string Subject { get; set; } = "sub";

    public string Email { get; set; } = "email";

    public string Name { get; set; } = "name";

    public string? Groups { get; set; }
}
