using System.Net;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Authentication.Totp;
using IdentityProvider.Pages.Account;

namespace IdentityProvider.Tests.Infrastructure.Cluster;

/// <summary>
/// The steps of a sign-in on the real hosted pages, over HTTP, as a browser takes them: each step
/// is a separate request, so behind nginx each may land on another node.
/// </summary>
public static class HostedSignIn
{
    /// <summary>Starts the authorization request, opens the login page it leads to, and submits the password.</summary>
    /// <returns>The answer to the password (a redirect to the code page or straight back to the authorization).</returns>
    public static async Task<HttpResponseMessage> PasswordAsync(HttpClient browser, CodeFlow flow, ClusterUser user, string scope = "openid profile offline_access")
    {
        var authorize = await browser.GetAsync(flow.AuthorizeUrl(scope));
        Assert.Equal(HttpStatusCode.Found, authorize.StatusCode);
        var login = await browser.GetPageAsync(authorize.Headers.Location!.OriginalString);
        var afterPassword = await browser.SubmitAsync(login, new Dictionary<string, string> { ["Username"] = user.UserName, ["Password"] = user.Password });
        Assert.Equal(HttpStatusCode.SeeOther, afterPassword.StatusCode);
        return afterPassword;
    }

    /// <summary>
    /// Signs in on the login page itself, with no client waiting: the password, then the code of
    /// the user's app when <paramref name="secret"/> is given. For the account and console pages.
    /// </summary>
    /// <returns>The last step's answer: a redirect to the account's home.</returns>
    public static async Task<HttpResponseMessage> ToAccountAsync(HttpClient browser, ClusterUser user, string? secret = null)
    {
        var login = await browser.GetPageAsync(LoginModel.Path);
        var answer = await browser.SubmitAsync(login, new Dictionary<string, string> { ["Username"] = user.UserName, ["Password"] = user.Password });
        if (secret is not null)
        {
            Assert.Equal(SignInSteps.SecondFactorPath, answer.Headers.Location?.OriginalString);
            answer = await CodeAsync(browser, CodeNow(secret));
        }

        Assert.Equal(SignInCompletion.AccountHome, answer.Headers.Location?.OriginalString);
        return answer;
    }

    /// <summary>Opens the code page (or its recovery-code variant) and submits <paramref name="code"/>.</summary>
    public static async Task<HttpResponseMessage> CodeAsync(HttpClient browser, string code, string path = SignInSteps.SecondFactorPath)
    {
        var page = await browser.GetPageAsync(path);
        return await browser.SubmitAsync(page, new Dictionary<string, string> { ["Code"] = code });
    }

    /// <summary>Follows the redirect back into the authorization endpoint and returns the code it hands the client.</summary>
    public static async Task<string> ResumeAsync(HttpClient browser, CodeFlow flow, HttpResponseMessage afterLastStep)
    {
        var resumed = await browser.GetAsync(afterLastStep.Headers.Location!.OriginalString);
        return flow.CodeFrom(resumed.Headers.Location?.OriginalString
            ?? throw new InvalidOperationException($"resume answered {(int)resumed.StatusCode} without a redirect"));
    }

    /// <summary>Password then code: the whole sign-in of a user with an authenticator app, up to the code for the client.</summary>
    public static async Task<string> WithTotpAsync(HttpClient browser, CodeFlow flow, ClusterUser user, string secret, string scope = "openid profile offline_access")
    {
        var afterPassword = await PasswordAsync(browser, flow, user, scope);
        Assert.Equal(SignInSteps.SecondFactorPath, afterPassword.Headers.Location!.OriginalString);
        var afterCode = await CodeAsync(browser, CodeNow(secret));
        Assert.Equal(HttpStatusCode.SeeOther, afterCode.StatusCode);
        return await ResumeAsync(browser, flow, afterCode);
    }

    /// <summary>A password-only user's sign-in, up to the code for the client.</summary>
    public static async Task<string> WithPasswordAsync(HttpClient browser, CodeFlow flow, ClusterUser user) =>
        await ResumeAsync(browser, flow, await PasswordAsync(browser, flow, user));

    /// <summary>The code the user's app shows now (real clock, as the nodes use).</summary>
    public static string CodeNow(string secret) => Rfc6238.ComputeCode(Base32.Decode(secret), DateTimeOffset.UtcNow);
}
