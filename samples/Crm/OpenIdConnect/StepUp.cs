using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;

namespace Samples.Crm.OpenIdConnect;

/// <summary>
/// Met when the ID token says the user signed in with more than one factor: amr contains "mfa"
/// (RFC 8176 §2), or acr is the provider's multi-factor level. The requirement is its own
/// handler, so ASP.NET Core runs it without a separate registration.
/// </summary>
public sealed class MultiFactorRequirement : AuthorizationHandler<MultiFactorRequirement>, IAuthorizationRequirement
{
    public const string Policy = "MultiFactor";

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, MultiFactorRequirement requirement)
    {
        var mfaAcr = context.Resource is HttpContext http
            ? http.RequestServices.GetRequiredService<IOptionsMonitor<RelyingPartyOptions>>().Get(RelyingPartyDefaults.Scheme).MfaAcr
            : null;
        if (context.User.HasClaim("amr", "mfa") || (mfaAcr is not null && context.User.HasClaim("acr", mfaAcr)))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// A signed-in user who lacks only the second factor is not forbidden: they are sent back to the
/// provider to step up (OIDC Core §3.1.2.1 acr_values and max_age) and return to the same page.
/// </summary>
public sealed class StepUpAuthorizationResultHandler(IOptionsMonitor<RelyingPartyOptions> options) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        var lacksSecondFactor = authorizeResult.Forbidden
            && authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<MultiFactorRequirement>().Any() == true;
        if (!lacksSecondFactor)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        var rp = options.Get(RelyingPartyDefaults.Scheme);
        var properties = new AuthenticationProperties { RedirectUri = context.Request.PathBase + context.Request.Path + context.Request.QueryString };
        properties.Items[RelyingPartyHandler.AcrValuesItem] = rp.MfaAcr;
        properties.Items[RelyingPartyHandler.MaxAgeItem] = ((int)rp.StepUpMaxAge.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        await context.ChallengeAsync(RelyingPartyDefaults.Scheme, properties);
    }
}
