using IdentityProvider.Authentication.Lockout;
using IdentityProvider.Authentication.Passwords;
using Microsoft.AspNetCore.Identity;

namespace IdentityProvider.Authentication;

internal static class AuthenticationSetup
{
    /// <summary>The factors and what guards them.</summary>
    public static IServiceCollection AddFactors(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<SignInLockoutOptions>(configuration.GetSection(SignInLockoutOptions.SectionName));
        services.AddSingleton<SignInAttemptGate>();
        // OWASP's Password Storage Cheat Sheet: PBKDF2-HMAC-SHA512 with 210,000 iterations. Hashes
        // made with fewer are upgraded at the next successful sign-in.
        services.Configure<PasswordHasherOptions>(options =>
            options.IterationCount = configuration.GetValue("Passwords:Iterations", 210_000));
        services.AddScoped<PasswordAuthenticator>();
        services.AddSecondFactors(configuration);
        return services;
    }
}
