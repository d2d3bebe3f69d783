using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Samples.Api;

/// <summary>
/// Validates the identity provider's access tokens offline against its JWKS. The tokens are
/// RFC 9068 JWTs, so what makes one acceptable here is: signed by a key in the JWKS, issued by the
/// configured authority, typed <c>at+jwt</c>, meant for the provider's resource audience, and
/// unexpired.
/// </summary>
public static class AccessTokenValidation
{
    public const string DealsReadPolicy = "deals.read";

    public static IServiceCollection AddAccessTokenValidation(this IServiceCollection services, IConfiguration configuration)
    {
        var authority = configuration["Authentication:Authority"]
            ?? throw new InvalidOperationException("Authentication:Authority is not configured.");
        var requiredScope = configuration["Authentication:RequiredScope"] ?? "deals.read";
        // The provider's default access-token audience is "{issuer}/resources" (its
        // OpenIdServer:AccessTokenAudience); set Authentication:Audience if the provider overrides it.
        var audience = configuration["Authentication:Audience"] ?? authority.TrimEnd('/') + "/resources";

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(options =>
            {
                options.Authority = authority;
                // Metadata over plain http is acceptable only for a provider on this machine.
                options.RequireHttpsMetadata = !IsLocalhost(authority);
                // Keep the claim names as issued (sub, scope, amr), not the WS-* URIs.
                options.MapInboundClaims = false;
                options.TokenValidationParameters.ValidIssuer = authority.TrimEnd('/');
                options.TokenValidationParameters.ValidAudience = audience;
                // RFC 9068 §4: refuse anything not typed as an access token, ID tokens included.
                options.TokenValidationParameters.ValidTypes = ["at+jwt"];
                options.TokenValidationParameters.NameClaimType = "sub";
            });

        services.AddAuthorizationBuilder()
            // RFC 9068 §2.2.3: "scope" is one space-separated string.
            .AddPolicy(DealsReadPolicy, policy => policy
                .RequireAuthenticatedUser()
                .RequireAssertion(context => HasScope(context.User, requiredScope)));
        return services;
    }

    private static bool HasScope(System.Security.Claims.ClaimsPrincipal user, string scope) =>
        user.FindAll("scope").Any(claim => claim.Value.Split(' ').Contains(scope, StringComparer.Ordinal));

    private static bool IsLocalhost(string authority) =>
        Uri.TryCreate(authority, UriKind.Absolute, out var uri) && uri.IsLoopback;
}
