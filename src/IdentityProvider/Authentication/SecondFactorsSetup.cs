using IdentityProvider.Authentication.EmailCodes;
using IdentityProvider.Authentication.RecoveryCodes;
using IdentityProvider.Authentication.Totp;
using Microsoft.AspNetCore.Identity;

namespace IdentityProvider.Authentication;

internal static class SecondFactorsSetup
{
    /// <summary>
    /// TOTP, recovery codes and emailed codes. Our TOTP provider becomes Identity's authenticator token provider,
    /// so nothing can reach Identity's own (±2 steps, codes reusable).
    /// </summary>
    public static IServiceCollection AddSecondFactors(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TotpOptions>()
            .Bind(configuration.GetSection(TotpOptions.SectionName))
            .Validate(o => o.Window is >= 0 and <= 10, "Totp:Window must be between 0 and 10.")
            // The Key URI label is "Issuer:account"; a colon in the issuer would split it wrongly.
            .Validate(o => !string.IsNullOrWhiteSpace(o.Issuer) && !o.Issuer.Contains(':'), "Totp:Issuer must be set and contain no ':'.")
            .ValidateOnStart();
        services.AddOptions<RecoveryCodeOptions>()
            .Bind(configuration.GetSection(RecoveryCodeOptions.SectionName))
            .Validate(o => o.Count is >= 1 and <= 50, "RecoveryCodes:Count must be between 1 and 50.")
            .ValidateOnStart();

        services.AddOptions<EmailCodeOptions>()
            .Bind(configuration.GetSection(EmailCodeOptions.SectionName))
            .Validate(o => o.Lifetime > TimeSpan.Zero && o.ResendInterval >= TimeSpan.Zero && o.MaxSendsPerWindow >= 1,
                "EmailCodes:Lifetime must be positive, EmailCodes:ResendInterval not negative and EmailCodes:MaxSendsPerWindow at least 1.")
            .ValidateOnStart();

        services.AddScoped<TotpAuthenticator>();
        services.AddScoped<EmailSignInCodes>();
        services.AddScoped<RecoveryCodeService>();
        services.AddScoped<TotpTokenProvider>();
        services.Configure<IdentityOptions>(identity =>
        {
            identity.Tokens.ProviderMap[TotpTokenProvider.ProviderName] = new TokenProviderDescriptor(typeof(TotpTokenProvider));
            identity.Tokens.AuthenticatorTokenProvider = TotpTokenProvider.ProviderName;
        });
        return services;
    }
}
