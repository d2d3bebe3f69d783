using IdentityProvider.Policy;
using IdentityProvider.Protocol.Interaction;
using Microsoft.AspNetCore.Mvc;

namespace IdentityProvider.Pages.Shared;

/// <summary>
/// Seed 002: while MFA is on and the signed-in user has not set up a second factor, the account
/// pages show a notice linking to the setup, until the user has configured it.
/// </summary>
public sealed class MfaBannerViewComponent(IAuthenticationSessions sessions, MfaPolicyInputs inputs, MfaSettingsStore settings) : ViewComponent
{
    public async Task<IViewComponentResult> InvokeAsync()
    {
        var session = await sessions.GetCurrentAsync(HttpContext);
        var show = session is not null
            && (await settings.GetAsync(HttpContext.RequestAborted)).MfaEnabled
            && await inputs.UserAsync(session.Subject, HttpContext.RequestAborted) is { HasAuthenticator: false };
        return show ? View() : Content("");
    }
}
