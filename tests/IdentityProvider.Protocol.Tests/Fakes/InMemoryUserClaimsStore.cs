using IdentityProvider.Protocol.Stores;

namespace IdentityProvider.Protocol.Tests.Fakes;

/// <summary>Active users by subject; a disabled user is found no more, as the interface says.</summary>
public sealed class InMemoryUserClaimsStore(params string[] activeSubjects) : IUserClaimsStore
{
    private readonly HashSet<string> _active = new(activeSubjects, StringComparer.Ordinal);

    public void Disable(string subject) => _active.Remove(subject);

    public Task<UserClaims?> FindActiveAsync(string subject, CancellationToken cancellationToken) =>
        Task.FromResult(_active.Contains(subject) ? new UserClaims(subject) : null);
}
