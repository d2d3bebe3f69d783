using IdentityProvider.Persistence.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Authentication.Passwords;

/// <summary>
/// A hash made once per node with the current settings, verified when there is no real one to
/// verify (unknown, disabled or locked accounts), so every sign-in attempt costs exactly one
/// verification. A singleton: made per request, it would cost a second hash exactly when the
/// account does not exist, and response time would tell.
/// </summary>
public sealed class DecoyPasswordHash(IOptions<PasswordHasherOptions> options)
{
    private readonly Lazy<string> _hash = new(() =>
        new PasswordHasher<ApplicationUser>(options).HashPassword(new ApplicationUser(), Guid.NewGuid().ToString()));

    public string Value => _hash.Value;
}
