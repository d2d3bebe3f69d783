using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Endpoints;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Authentication.Passkeys;

internal static class PasskeySetup
{
    public static IServiceCollection AddPasskeys(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PasskeyOptions>()
            .Bind(configuration.GetSection(PasskeyOptions.SectionName))
            .Validate(o => o.UserVerification is "preferred" or "required", "Passkeys:UserVerification must be 'preferred' or 'required'.")
            .Validate(o => o.CeremonyLifetime > TimeSpan.Zero && o.CeremonyLifetime <= TimeSpan.FromMinutes(30), "Passkeys:CeremonyLifetime must be between 0 and 30 minutes.")
            .Validate(o => o.MaxPerUser is >= 1 and <= 100, "Passkeys:MaxPerUser must be between 1 and 100.")
            .Validate(o => o.AllowedOrigins.All(origin => Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.GetLeftPart(UriPartial.Authority) == origin.TrimEnd('/')),
                "Passkeys:AllowedOrigins must be origins such as https://id.example.com (scheme, host and port only).")
            .ValidateOnStart();
        services.AddOptions<IdentityPasskeyOptions>().Configure<IOptions<PasskeyOptions>, IOptions<OpenIdServerOptions>>(ConfigureIdentity);
        services.AddScoped<IPasskeyHandler<ApplicationUser>, PasskeyHandler<ApplicationUser>>();
        services.AddScoped<PasskeyCeremonyStore>();
        services.AddScoped<PasskeyAuthenticator>();
        services.AddScoped<PasskeyFactorState>();
        services.AddScoped<PasskeyManager>();
        services.AddScoped<PasskeyRequests>();
        return services;
    }

    private static void ConfigureIdentity(IdentityPasskeyOptions identity, IOptions<PasskeyOptions> passkeys, IOptions<OpenIdServerOptions> server)
    {
        var issuer = new Uri(server.Value.Issuer);
        var options = passkeys.Value;
        // WebAuthn §5.1.2: without a configured RP ID Identity would take the request's Host
        // header, which a client chooses; the issuer is ours.
        identity.ServerDomain = options.RelyingPartyId ?? issuer.Host;
        var origins = options.AllowedOrigins.Count > 0
            ? options.AllowedOrigins.Select(o => o.TrimEnd('/')).ToHashSet(StringComparer.Ordinal)
            : [issuer.GetLeftPart(UriPartial.Authority)];
        // §7.1 step 9 / §7.2 step 13: only our own pages, never inside another site's frame.
        identity.ValidateOrigin = context => ValueTask.FromResult(!context.CrossOrigin && origins.Contains(context.Origin));
        identity.UserVerificationRequirement = options.UserVerification;
        // Discoverable credentials, so the login page can offer passkeys before a username is known.
        identity.ResidentKeyRequirement = "required";
        identity.AttestationConveyancePreference = "none";
        identity.AuthenticatorTimeout = options.CeremonyLifetime;
    }
}
