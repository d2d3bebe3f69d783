using System.Security.Claims;

namespace IdentityProvider.Admin.Api;

/// <summary>The claims <see cref="AdminApiAuthenticationHandler"/> puts on the caller, and how endpoints read them back.</summary>
public static class AdminApiClaims
{
    public const string Subject = "sub";
    public const string ClientId = "client_id";
    public const string Scope = "scope";
    public const string Permission = "idp_permission";

    /// <summary>Marks a token issued to a client for itself (client_credentials), with no user.</summary>
    public const string ClientOnly = "idp_client_only";

    /// <summary>Prefix of the audit actor for a client's own token: <c>client:&lt;client_id&gt;</c>.</summary>
    public const string ClientActorPrefix = "client:";

    /// <summary>Who the audit trail names for this call: the user, or the client acting for itself.</summary>
    public static string ActorOf(ClaimsPrincipal caller) =>
        caller.HasClaim(c => c.Type == ClientOnly)
            ? ClientActorPrefix + caller.FindFirstValue(ClientId)
            : caller.FindFirstValue(Subject) ?? throw new InvalidOperationException("admin API caller without a subject");

    public static bool HasPermission(ClaimsPrincipal caller, string permission) =>
        caller.HasClaim(Permission, permission);
}
