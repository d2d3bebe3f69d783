using System.Net;
using System.Text.Json;
using IdentityProvider.Pages.Account;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentityProvider.Tests.Infrastructure;

/// <summary>
/// What the passkey script of the hosted pages sends, over HTTP: ask a page for a challenge (the
/// ceremony's begin), let <see cref="SoftwareAuthenticator"/> answer it, post the answer (its finish).
/// The browser must send the page's <c>Origin</c> on these posts, as fetch() does.
/// </summary>
public static class HostedPasskeys
{
    /// <summary>A challenge and the response that carried it (to tell which node issued it).</summary>
    public sealed record Challenge(string Ceremony, string OptionsJson, HttpResponseMessage Response);

    /// <summary>The antiforgery token of the form on <paramref name="path"/> (its cookie stays in the browser).</summary>
    public static async Task<string> TokenOfAsync(HttpClient browser, string path) =>
        (await browser.GetPageAsync(path)).Document.QuerySelector("input[name='__RequestVerificationToken']")?.GetAttribute("value")
        ?? throw new InvalidOperationException(path + " has no antiforgery token.");

    public static Task<HttpResponseMessage> PostAsync(HttpClient browser, string path, string token, params (string Name, string Value)[] fields) =>
        browser.PostAsync(path, new FormUrlEncodedContent(
            fields.Select(f => KeyValuePair.Create(f.Name, f.Value)).Append(KeyValuePair.Create("__RequestVerificationToken", token))));

    /// <summary>The begin of a ceremony: a page's options handler answers with the ceremony's handle and the options for navigator.credentials.</summary>
    public static async Task<Challenge> ChallengeAsync(HttpClient browser, string path, string token, params (string Name, string Value)[] fields)
    {
        var response = await PostAsync(browser, path, token, fields);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var options = json.RootElement.GetProperty("options");
        return new Challenge(
            json.RootElement.GetProperty("ceremony").GetString()!,
            options.ValueKind == JsonValueKind.String ? options.GetString()! : options.GetRawText(),
            response);
    }

    /// <summary>
    /// Adds a passkey on the Security page of a signed-in browser.
    /// </summary>
    /// <returns>The begin (creation options) and the finish (the attestation's answer).</returns>
    public static async Task<(HttpResponseMessage Begin, HttpResponseMessage Finish)> RegisterAsync(
        HttpClient browser, SoftwareAuthenticator authenticator, string origin, string name)
    {
        var token = await TokenOfAsync(browser, SecurityModel.Path);
        var challenge = await ChallengeAsync(browser, SecurityModel.Path + "?handler=PasskeyCreationOptions", token, ("name", name));
        var finish = await PostAsync(browser, SecurityModel.Path + "?handler=RegisterPasskey", token,
            ("ceremony", challenge.Ceremony), ("credential", authenticator.CreateAttestation(challenge.OptionsJson, origin)));
        return (challenge.Response, finish);
    }

    /// <summary>
    /// Passwordless sign-in on the login page an authorization request led to.
    /// </summary>
    /// <param name="loginLocation">The authorization endpoint's redirect to the login page (with its <c>request</c>).</param>
    /// <returns>The challenge, the assertion the authenticator gave, and the login page's answer to it.</returns>
    public static async Task<(Challenge Challenge, string Assertion, HttpResponseMessage Answer)> SignInAsync(
        HttpClient browser, SoftwareAuthenticator authenticator, string origin, string loginLocation)
    {
        var requestId = QueryHelpers.ParseQuery(new Uri(new Uri(origin), loginLocation).Query)["request"].ToString();
        var token = await TokenOfAsync(browser, loginLocation);
        var challenge = await ChallengeAsync(browser, LoginModel.Path + "?handler=PasskeyOptions", token, ("request", requestId));
        var assertion = authenticator.CreateAssertion(challenge.OptionsJson, origin);
        var answer = await PostAsync(browser, LoginModel.Path + "?handler=Passkey", token,
            ("request", requestId), ("ceremony", challenge.Ceremony), ("credential", assertion));
        return (challenge, assertion, answer);
    }
}
