using IdentityProvider.Protocol.Interaction;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.Primitives;

namespace IdentityProvider.Infrastructure.Localization;

/// <summary>
/// OIDC Core §3.1.2.1 <c>ui_locales</c>: the languages the relying party asked for, in order of
/// preference. The pages receive only the waiting request's id, so the list is read from it.
/// </summary>
public sealed class UiLocalesRequestCultureProvider : RequestCultureProvider
{
    public override async Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext)
    {
        var requestId = httpContext.Request.Query["request"].ToString();
        if (requestId.Length == 0)
        {
            return null;
        }

        // Culture providers are created with the options, outside DI; the request's services are
        // the framework's way to reach a scoped dependency from one.
        var interaction = httpContext.RequestServices.GetRequiredService<AuthorizationInteraction>();
        var context = await interaction.GetContextAsync(requestId, httpContext.RequestAborted);
        return context?.UiLocales is { Count: > 0 } locales ? new ProviderCultureResult(locales.Select(l => new StringSegment(l)).ToList()) : null;
    }
}
