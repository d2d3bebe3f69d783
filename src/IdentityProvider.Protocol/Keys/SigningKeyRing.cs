using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using IdentityProvider.Protocol.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.Protocol.Keys;

/// <summary>
/// The signing keys as this node sees them: which key signs now, which keys the JWKS publishes,
/// and the rotation schedule. Thread-safe; register as a singleton.
/// </summary>
public sealed partial class SigningKeyRing(
    ISigningKeyStore store,
    SigningKeyGenerator generator,
    TimeProvider time,
    IOptions<SigningKeyOptions> options,
    ILogger<SigningKeyRing> logger)
{
    private readonly SemaphoreSlim _reload = new(1, 1);
    // Unprotecting and importing a private key is costly; rows never change, so do it once per kid.
    private readonly ConcurrentDictionary<string, SigningCredentials> _credentials = new(StringComparer.Ordinal);
    private Snapshot? _snapshot;

    private SigningKeyOptions Options => options.Value;

    public async Task<SigningCredentials> GetSigningCredentialsAsync(string algorithm, CancellationToken cancellationToken)
    {
        var snapshot = await GetSnapshotAsync(cancellationToken);
        var current = SigningKeySchedule.Current(snapshot.Keys, algorithm, time.GetUtcNow());
        if (current is null)
        {
            // Only before the first schedule run, or after every key of the algorithm was revoked.
            await EnsureKeysAsync(cancellationToken);
            snapshot = await GetSnapshotAsync(cancellationToken);
            current = SigningKeySchedule.Current(snapshot.Keys, algorithm, time.GetUtcNow())
                ?? throw new InvalidOperationException($"No {algorithm} signing key could be created.");
        }

        return _credentials.GetOrAdd(current.KeyId, _ => Materialize(current));
    }

    /// <summary>The JWKS document (RFC 7517 §5), as UTF-8 JSON.</summary>
    public async Task<ReadOnlyMemory<byte>> GetJwksAsync(CancellationToken cancellationToken) =>
        (await GetSnapshotAsync(cancellationToken)).Jwks;

    /// <summary>Public keys a token of ours may be verified with (for our own checks of id_token_hint and access tokens).</summary>
    public async Task<IReadOnlyList<SecurityKey>> GetValidationKeysAsync(CancellationToken cancellationToken) =>
        (await GetSnapshotAsync(cancellationToken)).ValidationKeys;

    public async Task<IReadOnlyList<SigningKey>> ListAsync(CancellationToken cancellationToken) =>
        (await GetSnapshotAsync(cancellationToken)).Keys;

    /// <summary>
    /// The schedule step, idempotent, run at start-up and periodically on every node. Two nodes
    /// running it at once may both add a key; that is harmless: both are published, and every node
    /// picks the same current key.
    /// </summary>
    /// <returns>The keys this call added, for the host to audit.</returns>
    public async Task<IReadOnlyList<SigningKey>> EnsureKeysAsync(CancellationToken cancellationToken)
    {
        var keys = await store.ListAsync(cancellationToken);
        var now = time.GetUtcNow();
        var added = new List<SigningKey>();
        foreach (var algorithm in Options.Algorithms.Distinct())
        {
            var current = SigningKeySchedule.Current(keys, algorithm, now);
            if (current is null)
            {
                // Nothing of this algorithm can have been signed or cached by anyone (first start,
                // or its keys were revoked), so there is no one to pre-publish to: sign at once.
                added.Add(await AddAsync(algorithm, activatesAt: now, "first key", cancellationToken));
            }
            else if (SigningKeySchedule.NeedsSuccessor(current, keys, now, Options))
            {
                added.Add(await AddAsync(algorithm, activatesAt: now + Options.PrePublication, "scheduled successor", cancellationToken));
            }
        }

        if (added.Count > 0)
        {
            _snapshot = null;
        }

        return added;
    }

    /// <summary>Operator rotation: the new key is published now and signs once the pre-publication period has passed.</summary>
    public async Task<SigningKey> RotateNowAsync(string algorithm, CancellationToken cancellationToken)
    {
        var key = await AddAsync(algorithm, time.GetUtcNow() + Options.PrePublication, "rotation requested", cancellationToken);
        _snapshot = null;
        return key;
    }

    /// <summary>
    /// Compromise: the key stops signing and leaves the JWKS at once. If it was current, a
    /// replacement signs immediately: waiting for pre-publication would mean signing with a key
    /// known to be compromised, and relying parties refetch the JWKS on an unknown kid.
    /// </summary>
    public async Task<bool> RevokeAsync(string keyId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var keys = await store.ListAsync(cancellationToken);
        var key = keys.FirstOrDefault(k => k.KeyId == keyId);
        if (key is null || !await store.RevokeAsync(keyId, now, cancellationToken))
        {
            return false;
        }

        _credentials.TryRemove(keyId, out _);
        LogRevoked(logger, keyId, key.Algorithm);
        if (SigningKeySchedule.Current(keys, key.Algorithm, now)?.KeyId == keyId)
        {
            await AddAsync(key.Algorithm, now, "replacement for revoked key", cancellationToken);
        }

        _snapshot = null;
        return true;
    }

    private async Task<SigningKey> AddAsync(string algorithm, DateTimeOffset activatesAt, string reason, CancellationToken cancellationToken)
    {
        var key = generator.Create(algorithm, time.GetUtcNow(), activatesAt, Options.RotationInterval);
        await store.AddAsync(key, cancellationToken);
        LogKeyAdded(logger, key.KeyId, algorithm, activatesAt, reason);
        return key;
    }

    private async Task<Snapshot> GetSnapshotAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var snapshot = _snapshot;
        if (snapshot is not null && now - snapshot.LoadedAt < Options.CacheDuration)
        {
            return snapshot;
        }

        await _reload.WaitAsync(cancellationToken);
        try
        {
            snapshot = _snapshot;
            if (snapshot is null || now - snapshot.LoadedAt >= Options.CacheDuration)
            {
                snapshot = Snapshot.Build(await store.ListAsync(cancellationToken), time.GetUtcNow(), Options);
                _snapshot = snapshot;
            }

            return snapshot;
        }
        finally
        {
            _reload.Release();
        }
    }

    private SigningCredentials Materialize(SigningKey key)
    {
        var pkcs8 = generator.UnprotectPrivateKey(key);
        try
        {
            SecurityKey securityKey = key.Algorithm switch
            {
                SigningAlgorithms.ES256 => new ECDsaSecurityKey(ImportEc(pkcs8)) { KeyId = key.KeyId },
                SigningAlgorithms.RS256 => new RsaSecurityKey(ImportRsa(pkcs8)) { KeyId = key.KeyId },
                _ => throw new InvalidOperationException($"Unsupported algorithm {key.Algorithm}."),
            };
            return new SigningCredentials(securityKey, key.Algorithm);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    private static ECDsa ImportEc(byte[] pkcs8)
    {
        var ec = ECDsa.Create();
        ec.ImportPkcs8PrivateKey(pkcs8, out _);
        return ec;
    }

    private static RSA ImportRsa(byte[] pkcs8)
    {
        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(pkcs8, out _);
        return rsa;
    }

    private sealed record Snapshot(IReadOnlyList<SigningKey> Keys, DateTimeOffset LoadedAt, ReadOnlyMemory<byte> Jwks, IReadOnlyList<SecurityKey> ValidationKeys)
    {
        public static Snapshot Build(IReadOnlyList<SigningKey> keys, DateTimeOffset now, SigningKeyOptions options)
        {
            var published = keys.Where(k => SigningKeySchedule.IsPublished(k, keys, now, options))
                .OrderBy(k => k.ActivatesAt).ThenBy(k => k.KeyId, StringComparer.Ordinal).ToList();
            var jwks = Encoding.UTF8.GetBytes("{\"keys\":[" + string.Join(",", published.Select(k => k.PublicJwk)) + "]}");
            var validation = published.Select(k => (SecurityKey)new JsonWebKey(k.PublicJwk)).ToList();
            return new Snapshot(keys, now, jwks, validation);
        }
    }

    [LoggerMessage(6001, LogLevel.Information, "Signing key {KeyId} ({Algorithm}) added, signs from {ActivatesAt:O}: {Reason}")]
    private static partial void LogKeyAdded(ILogger logger, string keyId, string algorithm, DateTimeOffset activatesAt, string reason);

    [LoggerMessage(6002, LogLevel.Warning, "Signing key {KeyId} ({Algorithm}) revoked")]
    private static partial void LogRevoked(ILogger logger, string keyId, string algorithm);
}
