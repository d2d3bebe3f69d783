using Microsoft.Playwright;

namespace Samples.Tests;

/// <summary>
/// A platform authenticator that Chromium simulates for one page, through the DevTools protocol's
/// WebAuthn domain: CTAP2, built in, discoverable credentials, user verification that succeeds,
/// and a user who is always present (no prompt to answer). Its credentials stay on it when the
/// server forgets them, as on a real device.
/// </summary>
public sealed class VirtualAuthenticator
{
    private readonly ICDPSession _cdp;

    private VirtualAuthenticator(ICDPSession cdp, string id)
    {
        _cdp = cdp;
        Id = id;
    }

    public string Id { get; }

    /// <param name="autofill">
    /// Chromium's virtual authenticator answers a conditional (autofill) request at once, with no
    /// one choosing the passkey from the username field's suggestions; the login page starts one on
    /// arrival, so it would sign in before any button is clicked. Unless a test wants exactly that,
    /// the page is told conditional mediation is unavailable, as in a browser without autofill.
    /// </param>
    public static async Task<VirtualAuthenticator> AddAsync(IPage page, bool autofill = false)
    {
        if (!autofill)
        {
            await page.AddInitScriptAsync("PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);");
        }

        var cdp = await page.Context.NewCDPSessionAsync(page);
        await cdp.SendAsync("WebAuthn.enable");
        var added = await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                ["automaticPresenceSimulation"] = true,
            },
        });
        return new VirtualAuthenticator(cdp, added!.Value.GetProperty("authenticatorId").GetString()!);
    }

    /// <summary>The ids (base64) of the credentials this authenticator holds.</summary>
    public async Task<IReadOnlyList<string>> CredentialIdsAsync()
    {
        var result = await _cdp.SendAsync("WebAuthn.getCredentials", new Dictionary<string, object> { ["authenticatorId"] = Id });
        return [.. result!.Value.GetProperty("credentials").EnumerateArray().Select(c => c.GetProperty("credentialId").GetString()!)];
    }

    /// <summary>Takes the authenticator away, as if the device were unplugged; its credentials go with it.</summary>
    public Task RemoveAsync() =>
        _cdp.SendAsync("WebAuthn.removeVirtualAuthenticator", new Dictionary<string, object> { ["authenticatorId"] = Id });
}
