using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Persistence.Stores;
using IdentityProvider.Protocol.ClientAuthentication;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Admin.Clients;

public sealed record ClientChange(bool Succeeded, IReadOnlyList<string> Errors, string? NewSecret = null)
{
    public static ClientChange Failed(params string[] errors) => new(false, errors);
}

/// <summary>
/// Registers, changes and removes clients. The command line, the configuration import,
/// the console and the admin API all go through here, so every change is validated and audited once.
/// </summary>
public sealed class ClientManager(IdentityProviderDbContext db, EfClientStore cache, IAuditLog audit, TimeProvider time)
{
    public async Task<ClientChange> AddAsync(ClientRegistration registration, string actor, CancellationToken cancellationToken)
    {
        var errors = ClientRegistrationValidator.Validate(registration);
        if (errors.Count > 0)
        {
            return new ClientChange(false, errors);
        }

        if (await db.Clients.AnyAsync(c => c.ClientId == registration.ClientId, cancellationToken))
        {
            return ClientChange.Failed($"a client with id '{registration.ClientId}' already exists.");
        }

        var now = time.GetUtcNow();
        var entity = new ClientEntity
        {
            ClientId = registration.ClientId,
            DisplayName = registration.DisplayName ?? registration.ClientId,
            ClientType = "",
            TokenEndpointAuthMethod = "",
            CreatedAt = now,
        };
        Apply(registration, entity, now);
        var secret = registration.UsesSecret ? AddSecret(entity, registration, now) : null;
        db.Clients.Add(entity);
        await db.SaveChangesAsync(cancellationToken);
        cache.Invalidate(entity.ClientId);
        await audit.RecordAsync(new AuditRecord(AuditActions.ClientCreated, actor, TargetType: "client", TargetId: entity.ClientId), cancellationToken);
        return new ClientChange(true, [], secret);
    }

    /// <summary>Makes the stored client match the registration (configuration is the source of truth for its clients).</summary>
    public async Task<ClientChange> AddOrUpdateAsync(ClientRegistration registration, string actor, CancellationToken cancellationToken)
    {
        var entity = await db.Clients.Include(c => c.Secrets).SingleOrDefaultAsync(c => c.ClientId == registration.ClientId, cancellationToken);
        if (entity is null)
        {
            return await AddAsync(registration, actor, cancellationToken);
        }

        var errors = ClientRegistrationValidator.Validate(registration);
        if (errors.Count > 0)
        {
            return new ClientChange(false, errors);
        }

        var now = time.GetUtcNow();
        Apply(registration, entity, now);
        var configuredHash = ConfiguredSecretHash(registration);
        if (configuredHash is not null && entity.Secrets.All(s => s.SecretHash != configuredHash))
        {
            entity.Secrets.Clear();
            entity.Secrets.Add(new ClientSecretEntity { ClientId = entity.ClientId, SecretHash = configuredHash, Description = "configuration", CreatedAt = now });
        }

        if (!db.ChangeTracker.HasChanges())
        {
            return new ClientChange(true, []);
        }

        entity.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        cache.Invalidate(entity.ClientId);
        await audit.RecordAsync(new AuditRecord(AuditActions.ClientUpdated, actor, TargetType: "client", TargetId: entity.ClientId), cancellationToken);
        return new ClientChange(true, []);
    }

    /// <summary>
    /// Changes a registered client's redirect URIs, grant types, scopes, consent and acr. Its type,
    /// authentication method, keys and secrets stay as they are (secrets change only by rotation).
    /// </summary>
    public async Task<ClientChange> UpdateAsync(ClientRegistration registration, string actor, CancellationToken cancellationToken)
    {
        var entity = await db.Clients.SingleOrDefaultAsync(c => c.ClientId == registration.ClientId, cancellationToken);
        if (entity is null)
        {
            return ClientChange.Failed($"no client with id '{registration.ClientId}'.");
        }

        var stored = ToRegistration(entity);
        registration.Type = stored.Type;
        registration.TokenEndpointAuthMethod = stored.TokenEndpointAuthMethod;
        registration.Jwks = stored.Jwks;
        var errors = ClientRegistrationValidator.Validate(registration);
        if (errors.Count > 0)
        {
            return new ClientChange(false, errors);
        }

        var now = time.GetUtcNow();
        Apply(registration, entity, now);
        if (!db.ChangeTracker.HasChanges())
        {
            return new ClientChange(true, []);
        }

        entity.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        cache.Invalidate(entity.ClientId);
        await audit.RecordAsync(new AuditRecord(AuditActions.ClientUpdated, actor, TargetType: "client", TargetId: entity.ClientId), cancellationToken);
        return new ClientChange(true, []);
    }

    public async Task<ClientEntity?> FindAsync(string clientId, CancellationToken cancellationToken) =>
        await db.Clients.AsNoTracking().Include(c => c.Secrets).SingleOrDefaultAsync(c => c.ClientId == clientId, cancellationToken);

    /// <summary>The registration a stored client answers to, for an editor to start from (no secret: only its hash is stored).</summary>
    public static ClientRegistration ToRegistration(ClientEntity entity) => new()
    {
        ClientId = entity.ClientId,
        DisplayName = entity.DisplayName,
        Type = entity.ClientType == EfClientStore.Public ? Protocol.Primitives.ClientType.Public : Protocol.Primitives.ClientType.Confidential,
        TokenEndpointAuthMethod = entity.TokenEndpointAuthMethod,
        RedirectUris = Split(entity.RedirectUris),
        PostLogoutRedirectUris = Split(entity.PostLogoutRedirectUris),
        GrantTypes = Split(entity.AllowedGrantTypes),
        Scopes = Split(entity.AllowedScopes),
        RequirePkce = entity.RequirePkce,
        RequireConsent = entity.RequireConsent,
        RequiredAcr = entity.RequiredAcr,
        Jwks = entity.Jwks,
    };

    private static List<string> Split(string? value) => [.. (value ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)];

    public async Task<IReadOnlyList<ClientEntity>> ListAsync(CancellationToken cancellationToken) =>
        await db.Clients.AsNoTracking().Include(c => c.Secrets).OrderBy(c => c.ClientId).ToListAsync(cancellationToken);

    public async Task<bool> RemoveAsync(string clientId, string actor, CancellationToken cancellationToken)
    {
        var removed = await db.Clients.Where(c => c.ClientId == clientId).ExecuteDeleteAsync(cancellationToken);
        cache.Invalidate(clientId);
        if (removed == 1)
        {
            await audit.RecordAsync(new AuditRecord(AuditActions.ClientRemoved, actor, TargetType: "client", TargetId: clientId), cancellationToken);
        }

        return removed == 1;
    }

    /// <summary>
    /// Issues a new secret, shown once. Existing secrets stay valid for <paramref name="overlap"/>
    /// so deployed instances of the client can switch over without an outage.
    /// </summary>
    public async Task<ClientChange> RotateSecretAsync(string clientId, TimeSpan overlap, string actor, CancellationToken cancellationToken)
    {
        var entity = await db.Clients.Include(c => c.Secrets).SingleOrDefaultAsync(c => c.ClientId == clientId, cancellationToken);
        if (entity is null)
        {
            return ClientChange.Failed($"no client with id '{clientId}'.");
        }

        if (entity.TokenEndpointAuthMethod is not ("client_secret_basic" or "client_secret_post"))
        {
            return ClientChange.Failed($"client '{clientId}' authenticates with {entity.TokenEndpointAuthMethod}, not a secret.");
        }

        var now = time.GetUtcNow();
        var oldSecretsEnd = now + overlap;
        foreach (var old in entity.Secrets.Where(s => s.ExpiresAt is null || s.ExpiresAt > oldSecretsEnd))
        {
            old.ExpiresAt = oldSecretsEnd;
        }

        var secret = ClientSecretHasher.NewSecret();
        entity.Secrets.Add(new ClientSecretEntity { ClientId = clientId, SecretHash = ClientSecretHasher.Hash(secret), Description = "rotated", CreatedAt = now });
        entity.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        cache.Invalidate(clientId);
        await audit.RecordAsync(
            new AuditRecord(AuditActions.ClientSecretRotated, actor, TargetType: "client", TargetId: clientId, Details: $"previous secrets valid until {oldSecretsEnd:O}"),
            cancellationToken);
        return new ClientChange(true, [], secret);
    }

    private static void Apply(ClientRegistration registration, ClientEntity entity, DateTimeOffset now)
    {
        entity.DisplayName = registration.DisplayName ?? registration.ClientId;
        entity.ClientType = registration.Type == Protocol.Primitives.ClientType.Public ? EfClientStore.Public : EfClientStore.Confidential;
        entity.TokenEndpointAuthMethod = registration.AuthMethod;
        entity.RedirectUris = string.Join(' ', registration.RedirectUris);
        entity.PostLogoutRedirectUris = string.Join(' ', registration.PostLogoutRedirectUris);
        entity.AllowedGrantTypes = string.Join(' ', registration.GrantTypes.Distinct());
        entity.AllowedScopes = string.Join(' ', registration.Scopes.Distinct());
        entity.RequirePkce = registration.RequirePkce;
        entity.RequireConsent = registration.RequireConsent;
        entity.RequiredAcr = registration.RequiredAcr;
        entity.Jwks = registration.Jwks;
        entity.Enabled = true;
        entity.UpdatedAt = entity.UpdatedAt == default ? now : entity.UpdatedAt;
    }

    /// <returns>The secret to show once, or null when configuration fixed it.</returns>
    private static string? AddSecret(ClientEntity entity, ClientRegistration registration, DateTimeOffset now)
    {
        var configuredHash = ConfiguredSecretHash(registration);
        var secret = configuredHash is null ? ClientSecretHasher.NewSecret() : null;
        entity.Secrets.Add(new ClientSecretEntity
        {
            ClientId = entity.ClientId,
            SecretHash = configuredHash ?? ClientSecretHasher.Hash(secret!),
            Description = configuredHash is null ? "generated" : "configuration",
            CreatedAt = now,
        });
        return secret;
    }

    private static string? ConfiguredSecretHash(ClientRegistration registration) =>
        registration.SecretSha256?.ToLowerInvariant() ?? (registration.Secret is null ? null : ClientSecretHasher.Hash(registration.Secret));
}
