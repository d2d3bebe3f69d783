using IdentityProvider.Authentication.Lockout;
using IdentityProvider.Authentication.Passkeys;
using IdentityProvider.Authentication.Passwords;
using IdentityProvider.Authentication.RateLimiting;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Authentication;

internal static class AuthenticationSetup
{
    /// <summary>The factors and what guards them.</summary>
    public static IServiceCollection AddFactors(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SignInLockoutOptions>().Bind(configuration.GetSection(SignInLockoutOptions.SectionName))
            .Validate(o => o.MaxDuration > TimeSpan.Zero && o.MaxConsecutiveFailures >= 0,
                "Lockout:MaxDuration must be positive and Lockout:MaxConsecutiveFailures not negative (0 turns it off).")
            .ValidateOnStart();
        services.AddSingleton<SignInAttemptGate>();
        // OWASP's Password Storage Cheat Sheet: PBKDF2-HMAC-SHA512 with 210,000 iterations. Hashes
        // made with fewer are upgraded at the next successful sign-in.
        services.Configure<PasswordHashingOptions>(configuration.GetSection(PasswordHashingOptions.SectionName));
        services.AddOptions<PasswordHasherOptions>().Configure<IOptions<PasswordHashingOptions>>((hasher, passwords) =>
            hasher.IterationCount = passwords.Value.Iterations);
        services.AddSingleton<PasswordHashLimiter>();
        services.AddSingleton<DecoyPasswordHash>();
        services.AddScoped<PasswordAuthenticator>();
        services.AddRateLimits(configuration);
        services.AddSecondFactors(configuration);
        services.AddPasskeys(configuration);
        return services;
    }
}
