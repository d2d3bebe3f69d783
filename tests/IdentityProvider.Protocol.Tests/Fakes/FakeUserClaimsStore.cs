using IdentityProvider.Protocol.Stores;

namespace IdentityProvider.Protocol.Tests.Fakes;

public sealed class FakeUserClaimsStore : IUserClaimsStore
{
    private readonly Dictionary<string, UserClaims> _users = new(StringComparer.Ordinal);

    public void Add(UserClaims user) => _users[user.Subject] = user;

    public void Disable(string subject) => _users.Remove(subject);

    public Task<UserClaims?> FindActiveAsync(string subject, CancellationToken cancellationToken) =>
        Task.FromResult(_users.GetValueOrDefault(subject));
}
