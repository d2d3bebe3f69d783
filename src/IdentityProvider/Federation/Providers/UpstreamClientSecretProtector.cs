using Microsoft.AspNetCore.DataProtection;

namespace IdentityProvider.Federation.Providers;

/// <summary>
/// Encrypts the client secrets of operator-added upstream providers at rest. The secret must be
/// sent to the upstream, so unlike our own clients' secrets it cannot be stored as a hash.
/// </summary>
public sealed class UpstreamClientSecretProtector(IDataProtectionProvider dataProtection)
{
    private const string Purpose = "IdentityProvider.Federation.UpstreamClientSecret.v1";

    private readonly IDataProtector _protector = dataProtection.CreateProtector(Purpose);

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);
}
