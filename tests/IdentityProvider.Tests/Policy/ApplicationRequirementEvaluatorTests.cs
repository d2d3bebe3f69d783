using IdentityProvider.Policy;
using IdentityProvider.Protocol.Interaction;
using IdentityProvider.Protocol.Primitives;

namespace IdentityProvider.Tests.Policy;

/// <summary>
/// The authorization endpoint's check of an existing session: what the session proved (amr)
/// against the client's required acr and the request's acr_values, and the acr the tokens state.
/// </summary>
public sealed class ApplicationRequirementEvaluatorTests
{
    private static readonly DateTimeOffset AuthTime = new(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, string?, string, bool, string?> Cases => new()
    {
        // session amr, client RequiredAcr, acr_values (space-separated), satisfied, stated acr
        { "pwd", null, "", true, null },
        { "pwd otp mfa", null, "", true, "mfa" },
        { "pwd hwk mfa", null, "", true, "phr" },
        { "hwk user pin mfa", null, "", true, "phr" },
        { "pwd", "mfa", "", false, null },
        { "pwd otp mfa", "mfa", "", true, "mfa" },
        { "pwd hwk mfa", "mfa", "", true, "phr" },
        { "pwd otp mfa", "phr", "", false, null },
        { "pwd swk mfa", "phr", "", true, "phr" },
        { "pwd", "urn:example:gold", "", true, null },
        { "pwd", null, "mfa", false, null },
        { "pwd otp mfa", null, "mfa", true, "mfa" },
        { "pwd hwk mfa", null, "mfa", true, "mfa" },
        { "pwd otp mfa", null, "phr", false, null },
        { "pwd hwk mfa", null, "phr", true, "phr" },
        { "pwd otp mfa", null, "phr mfa", true, "mfa" },
        { "pwd", null, "phr mfa", false, null },
        { "pwd", null, "urn:example:gold", true, null },
        { "pwd otp mfa", null, "urn:example:gold", true, "mfa" },
        { "pwd otp mfa", null, "urn:example:gold mfa", true, "mfa" },
        { "pwd otp mfa", "mfa", "mfa", true, "mfa" },
        { "pwd otp mfa", "mfa", "phr", false, null },
        { "pwd otp mfa", "phr", "mfa", false, null },
        { "pwd hwk mfa", "phr", "mfa", true, "phr" },
        { "pwd hwk mfa", "mfa", "phr", true, "phr" },
        // A passkey that did not verify the user is one factor; "mfa" is what counts.
        { "hwk", null, "mfa", false, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Requires_TheSessionToMeetTheClientAndTheRequest(string amr, string? requiredAcr, string acrValues, bool satisfied, string? statedAcr)
    {
        var client = new ClientDefinition
        {
            ClientId = "crm", DisplayName = "CRM", TokenEndpointAuthMethod = ClientAuthenticationMethods.ClientSecretBasic, RequiredAcr = requiredAcr,
        };
        var session = new AuthenticatedSession("s1", "u1", AuthTime, amr.Split(' '), null);
        var requested = acrValues.Split(' ', StringSplitOptions.RemoveEmptyEntries);

        var outcome = await new ApplicationRequirementEvaluator().EvaluateAsync(new(client, session, requested), CancellationToken.None);

        Assert.Equal(satisfied, outcome.Satisfied);
        Assert.Equal(statedAcr, outcome.Acr);
    }
}
