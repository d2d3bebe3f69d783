namespace IdentityProvider.Protocol.Stores;

/// <summary>
/// Authorization codes, kept only as hashes. Redemption is one conditional update in the
/// database, so of any number of concurrent redemptions on any nodes exactly one succeeds.
/// </summary>
public interface IAuthorizationCodeStore
{
    Task StoreAsync(string codeHash, AuthorizationCodeRecord code, CancellationToken cancellationToken);

    /// <summary>Marks the code used if it is unused, unexpired and was issued to <paramref name="clientId"/>.</summary>
    Task<CodeRedemption> RedeemAsync(string codeHash, string clientId, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>What a code stands for: everything the token endpoint must check and put into tokens.</summary>
public sealed record AuthorizationCodeRecord(
    string ClientId,
    string GrantId,
    string Subject,
    string SessionId,
    string RedirectUri,
    IReadOnlyList<string> Scopes,
    string? Nonce,
    string? CodeChallenge,
    DateTimeOffset AuthTime,
    IReadOnlyList<string> Amr,
    string? Acr,
    DateTimeOffset ExpiresAt);

public enum CodeRedemptionStatus
{
    Redeemed,

    /// <summary>The code was already used: RFC 6749 §4.1.2 says revoke what it issued.</summary>
    AlreadyRedeemed,

    /// <summary>Unknown, expired, or issued to another client.</summary>
    Invalid,
}

public sealed record CodeRedemption(CodeRedemptionStatus Status, AuthorizationCodeRecord? Code)
{
    public static readonly CodeRedemption Invalid = new(CodeRedemptionStatus.Invalid, null);
}
