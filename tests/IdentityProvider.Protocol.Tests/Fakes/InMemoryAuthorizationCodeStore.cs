using IdentityProvider.Protocol.Stores;

namespace IdentityProvider.Protocol.Tests.Fakes;

/// <summary>
/// The contract of <see cref="IAuthorizationCodeStore"/> in memory: a code redeems once, for the
/// client it was issued to, before it expires; every later redemption is AlreadyRedeemed.
/// </summary>
public sealed class InMemoryAuthorizationCodeStore : IAuthorizationCodeStore
{
    private readonly Dictionary<string, (AuthorizationCodeRecord Code, bool Redeemed)> _codes = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public Task StoreAsync(string codeHash, AuthorizationCodeRecord code, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _codes.Add(codeHash, (code, false));
        }

        return Task.CompletedTask;
    }

    public Task<CodeRedemption> RedeemAsync(string codeHash, string clientId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_codes.TryGetValue(codeHash, out var entry) || entry.Code.ClientId != clientId)
            {
                return Task.FromResult(CodeRedemption.Invalid);
            }

            if (entry.Redeemed)
            {
                return Task.FromResult(new CodeRedemption(CodeRedemptionStatus.AlreadyRedeemed, entry.Code));
            }

            if (entry.Code.ExpiresAt <= now)
            {
                return Task.FromResult(CodeRedemption.Invalid);
            }

            _codes[codeHash] = (entry.Code, true);
            return Task.FromResult(new CodeRedemption(CodeRedemptionStatus.Redeemed, entry.Code));
        }
    }
}
