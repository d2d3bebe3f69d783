using System.Security.Cryptography.X509Certificates;
using IdentityProvider.Persistence;
using Microsoft.AspNetCore.DataProtection;

namespace IdentityProvider.Infrastructure.Security;

internal static class DataProtectionSetup
{
    /// <summary>
    /// Keys in the database: every node decrypts what another node protected (cookies, antiforgery
    /// tokens, signing keys at rest), and they survive restarts. With
    /// <c>DataProtection:CertificatePath</c> (a PFX, password in <c>DataProtection:CertificatePassword</c>)
    /// the keys themselves are encrypted at rest, so reading the database alone does not reveal
    /// them; without it the framework logs a warning at start-up, which is the reminder to set it
    /// in production.
    /// </summary>
    public static IServiceCollection AddSharedDataProtection(this IServiceCollection services, IConfiguration configuration)
    {
        var builder = services.AddDataProtection()
            .SetApplicationName("IdentityProvider")
            .PersistKeysToDbContext<IdentityProviderDbContext>();
        var certificatePath = configuration["DataProtection:CertificatePath"];
        if (!string.IsNullOrWhiteSpace(certificatePath))
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(certificatePath, configuration["DataProtection:CertificatePassword"]);
            builder.ProtectKeysWithCertificate(certificate);
        }

        return services;
    }
}
