using System.Security.Claims;
using System.Text.Encodings.Web;
using IdentityProvider.Admin.Permissions;
using IdentityProvider.Protocol.Validation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Admin.Api;

/// <summary>
/// Bearer authentication for <c>/admin/api</c> only (RFC 6750): access tokens of this provider,
/// checked by the same <see cref="AccessTokenValidator"/> as UserInfo. The pages' cookie scheme
/// stays the default; this scheme runs only where the admin API's policy names it, so a session
/// cookie never authorises an API call (and the API needs no antiforgery).
/// </summary>
public sealed class AdminApiAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AccessTokenValidator validator,
    AdminPermissionResolver permissions)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "admin-api";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // RFC 6750 §2.1: the Authorization request header field with the "Bearer" scheme. The
        // form-body and query methods (§2.2, §2.3) are not supported: the query one leaks tokens
        // into logs and the form one invites cross-site posts.
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var token = header["Bearer ".Length..].Trim();
        var validated = await validator.ValidateAsync(token, Context.RequestAborted);
        if (!validated.Succeeded)
        {
            // The validator has logged why; the caller learns only invalid_token.
            return AuthenticateResult.Fail("invalid_token");
        }

        var accessToken = validated.Value;
        var claims = new List<Claim>
        {
            new(AdminApiClaims.Subject, accessToken.Subject),
            new(AdminApiClaims.ClientId, accessToken.ClientId),
        };
        claims.AddRange(accessToken.Scopes.Select(scope => new Claim(AdminApiClaims.Scope, scope)));
        if (!accessToken.HasUser)
        {
            claims.Add(new Claim(AdminApiClaims.ClientOnly, "true"));
        }

        if (accessToken.Scopes.Contains(AdminApiScopes.Admin))
        {
            var granted = await permissions.ResolveAsync(accessToken, Context.RequestAborted);
            claims.AddRange(granted.Select(permission => new Claim(AdminApiClaims.Permission, permission)));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, AdminApiClaims.Subject, roleType: null));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    /// <summary>RFC 6750 §3: 401 with a Bearer challenge; <c>invalid_token</c> only when a token was presented (§3.1).</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var challenge = result.Failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        await WriteAsync(StatusCodes.Status401Unauthorized, challenge,
            AdminApiProblems.Unauthorized(result.Failure is null ? "An access token is required." : "The access token is not valid."));
    }

    /// <summary>RFC 6750 §3.1 insufficient_scope: the token is valid but lacks the admin API scope.</summary>
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteAsync(StatusCodes.Status403Forbidden, $"Bearer error=\"insufficient_scope\", scope=\"{AdminApiScopes.Admin}\"",
            AdminApiProblems.InsufficientScope());

    private async Task WriteAsync(int status, string challenge, ProblemDetails problem)
    {
        // The answer is for a program: no HTML status page.
        if (Context.Features.Get<IStatusCodePagesFeature>() is { } statusPages)
        {
            statusPages.Enabled = false;
        }

        Response.StatusCode = status;
        Response.Headers.WWWAuthenticate = challenge;
        Response.Headers.CacheControl = "no-store";
        await Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json", Context.RequestAborted);
    }
}
