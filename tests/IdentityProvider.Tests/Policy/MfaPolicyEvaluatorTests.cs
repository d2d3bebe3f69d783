using IdentityProvider.Policy;

namespace IdentityProvider.Tests.Policy;

/// <summary>
/// The MFA policy evaluator as a pure function: a table of sign-ins (global switch × organisation ×
/// role × user flag × client requirement × acr_values × max_age × federation × grace) with the
/// decision and the ordered reasons expected of each, then the rules the table cannot show on one line.
/// </summary>
public sealed class MfaPolicyEvaluatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);
    private static readonly MfaPolicyEvaluator Evaluator = new();

    private static readonly MfaPolicySettings On = new(true, EnforcementScope.None, [], 0, 0, 0, false);
    private static readonly MfaPolicySettings Off = On with { MfaEnabled = false };

    private static readonly UserFacts Plain = new("u1", [], null, false, false, false, 0, 0, false, 0, null);
    private static readonly UserFacts WithTotp = Plain with { HasTotp = true, RecoveryCodes = 10 };
    private static readonly UserFacts WithPasskey = Plain with { Passkeys = 1 };
    private static readonly UserFacts InStrictOrganisation = Plain with { OrganisationName = "Acme", OrganisationRequiresMfa = true };

    private static readonly string[] Password = ["pwd"];
    private static readonly string[] PasswordAndCode = ["pwd", "otp", "mfa"];
    private static readonly string[] PasswordAndPasskey = ["pwd", "hwk", "mfa"];

    private static readonly SecondFactorKind[] None = [];
    private static readonly SecondFactorKind[] TotpOrRecovery = [SecondFactorKind.Totp, SecondFactorKind.RecoveryCode];

    /// <summary>One sign-in and what the policy must decide of it.</summary>
    public sealed record Case(
        string Name,
        MfaPolicySettings Settings,
        UserFacts User,
        string[] Amr,
        AssuranceLevel Required,
        AssuranceLevel Reached,
        SecondFactorKind[] Offer,
        EnrolmentDemand Enrolment,
        string[] Reasons,
        string? ClientAcr = null,
        string[]? AcrValues = null,
        bool MaxAge = false,
        bool Remembered = false,
        FederatedSignIn? Federation = null)
    {
        public bool Satisfied => Reached >= Required;

        public MfaPolicyInput Input() => new(
            Settings,
            User,
            new SignInFacts(Amr, Now, Remembered, Federation),
            ClientAcr is null ? null : new ClientFacts("crm", "CRM", ClientAcr),
            AcrValues is null && !MaxAge ? null : new RequestFacts(AcrValues ?? [], MaxAge));

        public override string ToString() => Name;
    }

    public static TheoryData<Case> Cases => new()
    {
        // Global switch off: nobody is asked, whatever else would ask them.
        new("off, no factor", Off, Plain, Password, AssuranceLevel.Single, AssuranceLevel.Single, None, EnrolmentDemand.None, ["mfa-off", "satisfied"]),
        new("off, enrolled TOTP", Off, WithTotp, Password, AssuranceLevel.Single, AssuranceLevel.Single, None, EnrolmentDemand.None, ["mfa-off", "satisfied"]),
        new("off, organisation requires", Off, InStrictOrganisation, Password, AssuranceLevel.Single, AssuranceLevel.Single, None, EnrolmentDemand.None, ["mfa-off", "satisfied"]),
        new("off, user flag", Off, Plain with { MfaRequired = true }, Password, AssuranceLevel.Single, AssuranceLevel.Single, None, EnrolmentDemand.None, ["mfa-off", "satisfied"]),
        new("off, all users", Off with { EnforceFor = EnforcementScope.AllUsers }, Plain, Password, AssuranceLevel.Single, AssuranceLevel.Single, None, EnrolmentDemand.None, ["mfa-off", "satisfied"]),
        new("off, role enforced", Off with { EnforceFor = EnforcementScope.Roles, EnforcedRoles = ["admin"] }, Plain with { Roles = ["admin"] }, Password,
            AssuranceLevel.Single, AssuranceLevel.Single, None, EnrolmentDemand.None, ["mfa-off", "satisfied"]),
        new("off, federated require-local", Off, Plain, Password, AssuranceLevel.Single, AssuranceLevel.Single, None, EnrolmentDemand.None, ["mfa-off", "satisfied"],
            Federation: new("Entra", FederatedMfaRule.RequireLocal, false)),
        new("off, client requires mfa", Off, WithTotp, Password, AssuranceLevel.Mfa, AssuranceLevel.Single, None, EnrolmentDemand.None,
            ["client-requires", "mfa-off", "cannot-be-met"], ClientAcr: "mfa"),
        new("off, acr_values mfa", Off, WithTotp, Password, AssuranceLevel.Mfa, AssuranceLevel.Single, None, EnrolmentDemand.None,
            ["acr-values-requested", "mfa-off", "cannot-be-met"], AcrValues: ["mfa"]),
        new("off, acr_values mfa, session already mfa", Off, WithTotp, PasswordAndCode, AssuranceLevel.Mfa, AssuranceLevel.Mfa, None, EnrolmentDemand.None,
            ["acr-values-requested", "mfa-off", "satisfied"], AcrValues: ["mfa"]),

        // On, the user's own policy.
        new("on, nothing requires it", On, Plain, Password, AssuranceLevel.Single, AssuranceLevel.Single, None, EnrolmentDemand.None, ["mfa-optional", "satisfied"]),
        new("on, enrolled TOTP, password only", On, WithTotp, Password, AssuranceLevel.Mfa, AssuranceLevel.Single, TotpOrRecovery, EnrolmentDemand.None,
            ["enrolled", "second-factor-due"]),
        new("on, enrolled TOTP, code given", On, WithTotp, PasswordAndCode, AssuranceLevel.Mfa, AssuranceLevel.Mfa, None, EnrolmentDemand.None, ["enrolled", "satisfied"]),
        new("on, enrolled passkey, password only", On, WithPasskey, Password, AssuranceLevel.Mfa, AssuranceLevel.Single, [SecondFactorKind.Passkey], EnrolmentDemand.None,
            ["enrolled", "second-factor-due"]),
        new("on, organisation requires, no factor", On, InStrictOrganisation, Password, AssuranceLevel.Mfa, AssuranceLevel.Single, None, EnrolmentDemand.Required,
            ["organisation-requires-mfa", "must-enrol"]),
        new("on, organisation does not require", On, Plain with { OrganisationName = "Acme" }, Password, AssuranceLevel.Single, AssuranceLevel.Single, None, EnrolmentDemand.None,
            ["mfa-optional", "satisfied"]),
        new("on, organisation requires, enrolled", On, InStrictOrganisation with { HasTotp = true, RecoveryCodes = 10 }, Password, AssuranceLevel.Mfa, AssuranceLevel.Single,
            TotpOrRecovery, EnrolmentDemand.None, ["enrolled", "organisation-requires-mfa", "second-factor-due"]),
        new("on, user flag, no factor", On, Plain with { MfaRequired = true }, Password, AssuranceLevel.Mfa, AssuranceLevel.Single, None, EnrolmentDemand.Required,
            ["user-requires-mfa", "must-enrol"]),
        new("on, user flag and organisation", On, InStrictOrganisation with { MfaRequired = true }, Password, AssuranceLevel.Mfa, AssuranceLevel.Single, None, EnrolmentDemand.Required,
            ["user-requires-mfa", "organisation-requires-mfa", "must-enrol"]),
        new("on, enforced role held", On with { EnforceFor = EnforcementScope.Roles, EnforcedRoles = ["admin"] }, Plain with { Roles = ["staff", "admin"] }, Password,
            AssuranceLevel.Mfa, AssuranceLevel.Single, None, EnrolmentDemand.Required, ["role-requires-mfa", "must-enrol"]),
        new("on, enforced role held in another case", On with { EnforceFor = EnforcementScope.Roles, EnforcedRoles = ["admin"] }, Plain with { Roles = ["Admin"] }, Password,
            AssuranceLevel.Mfa, AssuranceLevel.Single, None, EnrolmentDemand.Required, ["role-requires-mfa", "must-enrol"]),
        new("on, enforced role not held", On with { EnforceFor = EnforcementScope.Roles, EnforcedRoles = ["admin"] }, Plain with { Roles = ["staff"] }, Password,
            AssuranceLevel.Single, AssuranceLevel.Single, None, EnrolmentDemand.None, ["mfa-optional", "satisfied"]),
        new("on, all users", On with { EnforceFor = EnforcementScope.AllUsers }, Plain, Password, AssuranceLevel.Mfa, AssuranceLevel.Single, None, EnrolmentDemand.Required,
            ["all-users-require-mfa", "must-enrol"]),

        // The application's demand: the client's required acr, the request's acr_values.
        new("on, client mfa, no factor, nothing else requires it", On, Plain, Password, AssuranceLevel.Mfa, AssuranceLevel.Single, None, EnrolmentDemand.None,
            ["client-requires", "mfa-optional", "cannot-be-met"], ClientAcr: "mfa"),
        new("on, client mfa, enrolled TOTP", On, WithTotp, Password, AssuranceLevel.Mfa, AssuranceLevel.Single, TotpOrRecovery, EnrolmentDemand.None,
            ["client-requires", "enrolled", "second-factor-due"], ClientAcr: "mfa"),
        // The client will hear unmet_authentication_requirements, but the session must not be password-only.
        new("on, client phr, TOTP but no passkey", On, WithTotp, Password, AssuranceLevel.Mfa, AssuranceLevel.Single, TotpOrRecovery, EnrolmentDemand.None,
            ["client-requires", "enrolled", "cannot-be-met", "own-policy-first"], ClientAcr: "phr"),
        new("on, client phr, passkey sign-in", On, WithPasskey, ["hwk", "user", "pin", "mfa"], AssuranceLevel.PhishingResistant, AssuranceLevel.PhishingResistant, None,
            EnrolmentDemand.None, ["client-requires", "enrolled", "satisfied"], ClientAcr: "phr"),
        new("on, client phr, organisation requires, no factor", On, InStrictOrganisation, Password, AssuranceLevel.PhishingResistant, AssuranceLevel.Single, None,
            EnrolmentDemand.Required, ["client-requires", "organisation-requires-mfa", "must-enrol"], ClientAcr: "phr"),
        new("on, client mfa, organisation requires, grace left", On with { GraceSignIns = 3 }, InStrictOrganisation, Password, AssuranceLevel.Mfa, AssuranceLevel.Single, None,
            EnrolmentDemand.Required, ["client-requires", "organisation-requires-mfa", "must-enrol"], ClientAcr: "mfa"),
        new("on, client with an unknown acr", On, Plain, Password, AssuranceLevel.Single, AssuranceLevel.Single, None, EnrolmentDemand.None,
            ["mfa-optional", "satisfied"], ClientAcr: "urn:example:gold"),
        new("on, acr_values mfa, enrolled TOTP", On, WithTotp, Password, AssuranceLevel.Mfa, AssuranceLevel.Single, TotpOrRecovery, EnrolmentDemand.None,
            ["acr-values-requested", "enrolled", "second-factor-due"], AcrValues: ["mfa"]),
        new("on, acr_values mfa, session mfa", On, WithTotp, PasswordAndCode, AssuranceLevel.Mfa, AssuranceLevel.Mfa, None, EnrolmentDemand.None,
            ["acr-values-requested", "enrolled", "satisfied"], AcrValues: ["mfa"]),
        new("on, acr_values phr, session mfa, passkey registered", On, WithTotp with { Passkeys = 1 }, PasswordAndCode, AssuranceLevel.PhishingResistant, AssuranceLevel.Mfa,
            [SecondFactorKind.Passkey], EnrolmentDemand.None, ["acr-values-requested", "enrolled", "second-factor-due"], AcrValues: ["phr"]),
        new("on, acr_values phr, session with a passkey", On, WithTotp with { Passkeys = 1 }, PasswordAndPasskey, AssuranceLevel.PhishingResistant, AssuranceLevel.PhishingResistant,
            None, EnrolmentDemand.None, ["acr-values-requested", "enrolled", "satisfied"], AcrValues: ["phr"]),
        new("on, acr_values phr or mfa", On, WithTotp, Password, AssuranceLevel.Mfa, AssuranceLevel.Single, TotpOrRecovery, EnrolmentDemand.None,
            ["acr-values-requested", "enrolled", "second-factor-due"], AcrValues: ["phr", "mfa"]),
        new("on, acr_values unknown only", On, Plain, Password, AssuranceLevel.Single, AssuranceLevel.Single, None, EnrolmentDemand.None,
            ["acr-value-ignored", "mfa-optional", "satisfied"], AcrValues: ["urn:example:gold"]),
        new("on, acr_values unknown and mfa", On, WithTotp, PasswordAndCode, AssuranceLevel.Mfa, AssuranceLevel.Mfa, None, EnrolmentDemand.None,
            ["acr-value-ignored", "acr-values-requested", "enrolled", "satisfied"], AcrValues: ["urn:example:gold", "mfa"]),
        new("on, acr_values mfa, no factor, nothing else requires it", On, Plain, Password, AssuranceLevel.Mfa, AssuranceLevel.Single, None, EnrolmentDemand.None,
            ["acr-values-requested", "mfa-optional", "cannot-be-met"], AcrValues: ["mfa"]),
        new("on, client phr and acr_values mfa", On, WithTotp, PasswordAndCode, AssuranceLevel.PhishingResistant, AssuranceLevel.Mfa, None, EnrolmentDemand.None,
            ["client-requires", "acr-values-requested", "enrolled", "cannot-be-met"], ClientAcr: "phr", AcrValues: ["mfa"]),

        // max_age / prompt=login and a remembered browser.
        new("on, max_age, nothing requires it", On, Plain, Password, AssuranceLevel.Single, AssuranceLevel.Single, None, EnrolmentDemand.None,
            ["mfa-optional", "satisfied"], MaxAge: true),
        new("on, remembered browser", On, WithTotp, Password, AssuranceLevel.Single, AssuranceLevel.Single, None, EnrolmentDemand.None,
            ["remembered-browser", "satisfied"], Remembered: true),
        new("on, remembered browser, max_age", On, WithTotp, Password, AssuranceLevel.Mfa, AssuranceLevel.Single, TotpOrRecovery, EnrolmentDemand.None,
            ["remembered-browser-ignored", "enrolled", "second-factor-due"], MaxAge: true, Remembered: true),
        new("on, remembered browser, acr_values mfa", On, WithTotp, Password, AssuranceLevel.Mfa, AssuranceLevel.Single, TotpOrRecovery, EnrolmentDemand.None,
            ["acr-values-requested", "remembered-browser", "second-factor-due"], AcrValues: ["mfa"], Remembered: true),
        new("on, remembered browser, client mfa", On, WithTotp, Password, AssuranceLevel.Mfa, AssuranceLevel.Single, TotpOrRecovery, EnrolmentDemand.None,
            ["client-requires", "remembered-browser", "second-factor-due"], ClientAcr: "mfa", Remembered: true),
        new("on, remembered browser, organisation requires, no factor", On, InStrictOrganisation, Password, AssuranceLevel.Mfa, AssuranceLevel.Single, None,
            EnrolmentDemand.Required, ["organisation-requires-mfa", "must-enrol"], Remembered: true),

        // Federated sign-ins, as the upstream rule weighs them.
        new("on, federated bypass, organisation requires", On, InStrictOrganisation, Password, AssuranceLevel.Single, AssuranceLevel.Single, None, EnrolmentDemand.None,
            ["federated-bypass", "satisfied"], Federation: new("Entra", FederatedMfaRule.Bypass, false)),
        new("on, federated bypass, enrolled TOTP", On, WithTotp, Password, AssuranceLevel.Single, AssuranceLevel.Single, None, EnrolmentDemand.None,
            ["federated-bypass", "satisfied"], Federation: new("Entra", FederatedMfaRule.Bypass, false)),
        new("on, federated bypass, client mfa", On, WithTotp, Password, AssuranceLevel.Mfa, AssuranceLevel.Single, TotpOrRecovery, EnrolmentDemand.None,
            ["client-requires", "federated-bypass", "second-factor-due"], ClientAcr: "mfa", Federation: new("Entra", FederatedMfaRule.Bypass, false)),
        new("on, trust upstream, upstream showed mfa", On, InStrictOrganisation, Password, AssuranceLevel.Single, AssuranceLevel.Single, None, EnrolmentDemand.None,
            ["federated-upstream-mfa", "satisfied"], Federation: new("Entra", FederatedMfaRule.TrustUpstreamAmr, true)),
        new("on, trust upstream, single factor upstream, no factor", On, Plain, Password, AssuranceLevel.Mfa, AssuranceLevel.Single, None, EnrolmentDemand.Required,
            ["federated-upstream-single-factor", "must-enrol"], Federation: new("Entra", FederatedMfaRule.TrustUpstreamAmr, false)),
        new("on, trust upstream, single factor upstream, enrolled", On, WithTotp, Password, AssuranceLevel.Mfa, AssuranceLevel.Single, TotpOrRecovery, EnrolmentDemand.None,
            ["federated-upstream-single-factor", "enrolled", "second-factor-due"], Federation: new("Entra", FederatedMfaRule.TrustUpstreamAmr, false)),
        new("on, federated require-local, no factor", On, Plain, Password, AssuranceLevel.Mfa, AssuranceLevel.Single, None, EnrolmentDemand.Required,
            ["federated-require-local", "must-enrol"], Federation: new("Entra", FederatedMfaRule.RequireLocal, false)),
        // Linking an upstream account proves the local account's own factor, whatever the rule or a remembered browser.
        new("on, federated bypass, linking, enrolled TOTP, remembered", On, WithTotp, ["fed", "pwd"], AssuranceLevel.Mfa, AssuranceLevel.Single, TotpOrRecovery,
            EnrolmentDemand.None, ["federated-linking", "remembered-browser-ignored", "enrolled", "second-factor-due"], Remembered: true,
            Federation: new("Entra", FederatedMfaRule.Bypass, false) { Linking = true }),

        // Grace.
        new("on, organisation requires, grace sign-ins left", On with { GraceSignIns = 2 }, InStrictOrganisation, Password, AssuranceLevel.Mfa, AssuranceLevel.Single, None,
            EnrolmentDemand.Deferrable, ["organisation-requires-mfa", "may-postpone"]),
        new("on, organisation requires, grace sign-ins used", On with { GraceSignIns = 2 }, InStrictOrganisation with { EnrolmentDeferrals = 2 }, Password,
            AssuranceLevel.Mfa, AssuranceLevel.Single, None, EnrolmentDemand.Required, ["organisation-requires-mfa", "must-enrol"]),
        new("on, user flag, grace days left", On with { GraceDays = 7 }, Plain with { MfaRequired = true, EnrolmentDueSince = Now.AddDays(-3) }, Password,
            AssuranceLevel.Mfa, AssuranceLevel.Single, None, EnrolmentDemand.Deferrable, ["user-requires-mfa", "may-postpone"]),
        new("on, user flag, grace days over", On with { GraceDays = 7 }, Plain with { MfaRequired = true, EnrolmentDueSince = Now.AddDays(-8) }, Password,
            AssuranceLevel.Mfa, AssuranceLevel.Single, None, EnrolmentDemand.Required, ["user-requires-mfa", "must-enrol"]),
        new("on, acr_values mfa, organisation requires, grace left", On with { GraceSignIns = 2 }, InStrictOrganisation, Password, AssuranceLevel.Mfa, AssuranceLevel.Single, None,
            EnrolmentDemand.Required, ["acr-values-requested", "organisation-requires-mfa", "must-enrol"], AcrValues: ["mfa"]),

        // Email fallback.
        new("on, email fallback, no authenticator, confirmed email", On with { EmailFallback = true }, InStrictOrganisation with { HasEmail = true }, Password,
            AssuranceLevel.Mfa, AssuranceLevel.Single, [SecondFactorKind.EmailCode], EnrolmentDemand.None, ["organisation-requires-mfa", "second-factor-due"]),
        new("on, email fallback, no confirmed email", On with { EmailFallback = true }, InStrictOrganisation, Password,
            AssuranceLevel.Mfa, AssuranceLevel.Single, None, EnrolmentDemand.Required, ["organisation-requires-mfa", "must-enrol"]),
        new("on, email fallback, enrolled TOTP", On with { EmailFallback = true }, WithTotp with { HasEmail = true }, Password,
            AssuranceLevel.Mfa, AssuranceLevel.Single, TotpOrRecovery, EnrolmentDemand.None, ["enrolled", "second-factor-due"]),
        new("on, email fallback, client phr, no authenticator", On with { EmailFallback = true }, InStrictOrganisation with { HasEmail = true }, Password,
            AssuranceLevel.PhishingResistant, AssuranceLevel.Single, None, EnrolmentDemand.Required, ["client-requires", "organisation-requires-mfa", "must-enrol"], ClientAcr: "phr"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decides_AsTheTableSays(Case row)
    {
        var decision = Evaluator.Evaluate(row.Input());

        Assert.Equal(row.Required, decision.Required);
        Assert.Equal(row.Reached, decision.Reached);
        Assert.Equal(row.Satisfied, decision.Satisfied);
        Assert.Equal(row.Offer, decision.Offer);
        Assert.Equal(row.Enrolment, decision.Enrolment);
        Assert.Equal(row.Reasons, decision.Reasons.Select(r => r.Code));
    }

    [Fact]
    public void Requires_NoSecondFactor_AndAllowsNoEnrolment_WhenMfaIsOff()
    {
        var decision = Evaluator.Evaluate(new(Off, InStrictOrganisation with { MfaRequired = true }, new(Password, Now)));

        Assert.False(decision.CanEnrol);
        Assert.Null(decision.Acr);
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(1, 1)]
    public void Requires_EnrolmentButLetsItWait_WhileGraceSignInsAreLeft(int deferrals, int left)
    {
        var decision = Evaluator.Evaluate(new(On with { GraceSignIns = 2 }, InStrictOrganisation with { EnrolmentDeferrals = deferrals }, new(Password, Now)));

        Assert.Equal(EnrolmentDemand.Deferrable, decision.Enrolment);
        Assert.Equal(left, decision.GraceSignInsLeft);
        Assert.Null(decision.GraceEndsAt);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    public void Requires_Enrolment_WhenTheGraceSignInsAreUsedUp(int deferrals)
    {
        var decision = Evaluator.Evaluate(new(On with { GraceSignIns = 2 }, InStrictOrganisation with { EnrolmentDeferrals = deferrals }, new(Password, Now)));

        Assert.Equal(EnrolmentDemand.Required, decision.Enrolment);
        Assert.Equal(0, decision.GraceSignInsLeft);
    }

    [Fact]
    public void Requires_EnrolmentFromNow_WhenGraceDaysStartWithThisSignIn()
    {
        var decision = Evaluator.Evaluate(new(On with { GraceDays = 7 }, InStrictOrganisation with { EnrolmentDueSince = null }, new(Password, Now)));

        Assert.Equal(EnrolmentDemand.Deferrable, decision.Enrolment);
        Assert.Equal(Now.AddDays(7), decision.GraceEndsAt);
    }

    /// <summary>The grace ends at due-since plus the days: a second before, it still holds; at that instant, it is over.</summary>
    [Theory]
    [InlineData(-1, EnrolmentDemand.Deferrable)]
    [InlineData(0, EnrolmentDemand.Required)]
    [InlineData(1, EnrolmentDemand.Required)]
    public void Requires_Enrolment_ByTheGraceDaysBoundary(int secondsPastEnd, EnrolmentDemand expected)
    {
        var dueSince = Now.AddDays(-7).AddSeconds(-secondsPastEnd);

        var decision = Evaluator.Evaluate(new(On with { GraceDays = 7 }, InStrictOrganisation with { EnrolmentDueSince = dueSince }, new(Password, Now)));

        Assert.Equal(expected, decision.Enrolment);
        Assert.Equal(dueSince.AddDays(7), decision.GraceEndsAt);
    }

    [Theory]
    [InlineData("mfa", null)]
    [InlineData(null, "mfa")]
    [InlineData("phr", null)]
    public void Requires_EnrolmentNow_WhenTheApplicationDemandsIt_WhateverTheGrace(string? clientAcr, string? acrValue)
    {
        var input = new MfaPolicyInput(
            On with { GraceSignIns = 100, GraceDays = 365 },
            InStrictOrganisation,
            new(Password, Now),
            clientAcr is null ? null : new ClientFacts("crm", "CRM", clientAcr),
            acrValue is null ? null : new RequestFacts([acrValue], false));

        var decision = Evaluator.Evaluate(input);

        Assert.Equal(EnrolmentDemand.Required, decision.Enrolment);
        Assert.Equal("must-enrol", decision.Reasons[^1].Code);
    }

    [Fact]
    public void Requires_ThePasskey_OfAUserWithTotpAndAPasskey_ForAPhishingResistantDemand()
    {
        var decision = Evaluator.Evaluate(new(On, WithTotp with { Passkeys = 2 }, new(Password, Now), Request: new(["phr"], false)));

        Assert.Equal([SecondFactorKind.Passkey], decision.Offer);
        Assert.Equal(EnrolmentDemand.None, decision.Enrolment);
    }

    [Fact]
    public void Requires_ASecondFactor_OfAnAdministrator_WithMfaTurnedOff_AndWithoutGrace()
    {
        var withTotp = Evaluator.Evaluate(new(On with { MfaEnabled = false }, WithTotp with { IsAdministrator = true }, new(Password, Now)));
        var withoutFactor = Evaluator.Evaluate(new(On with { GraceSignIns = 5 }, Plain with { IsAdministrator = true }, new(Password, Now)));

        Assert.Equal(AssuranceLevel.Mfa, withTotp.Required);
        Assert.Equal(TotpOrRecovery, withTotp.Offer);
        Assert.Equal(["mfa-off", "administrator-requires-mfa", "second-factor-due"], withTotp.Reasons.Select(r => r.Code));
        Assert.Equal(EnrolmentDemand.Required, withoutFactor.Enrolment);
        Assert.Contains("administrator-requires-mfa", withoutFactor.Reasons.Select(r => r.Code));
    }

    [Fact]
    public void Requires_TheUsersOwnFactorFirst_WhenAnApplicationDemandCannotBeMet()
    {
        var decision = Evaluator.Evaluate(new(On, WithTotp, new(Password, Now), Request: new(["phr"], false)));

        Assert.Equal(AssuranceLevel.Mfa, decision.Required);
        Assert.Equal([SecondFactorKind.Totp, SecondFactorKind.RecoveryCode], decision.Offer);
        Assert.Equal(["cannot-be-met", "own-policy-first"], decision.Reasons.TakeLast(2).Select(r => r.Code));
    }

    [Fact]
    public void Rejects_WhenAUserWithOnlyTotpFacesAPhishingResistantDemand_WithoutOfferingEnrolment()
    {
        var decision = Evaluator.Evaluate(new(On, WithTotp with { MfaRequired = true }, new(PasswordAndCode, Now), Request: new(["phr"], false)));

        Assert.False(decision.Satisfied);
        Assert.Empty(decision.Offer);
        Assert.Equal(EnrolmentDemand.None, decision.Enrolment);
        Assert.Equal("cannot-be-met", decision.Reasons[^1].Code);
    }

    [Theory]
    [InlineData("mfa", new[] { SecondFactorKind.Totp, SecondFactorKind.Passkey, SecondFactorKind.RecoveryCode })]
    [InlineData("phr", new[] { SecondFactorKind.Passkey })]
    public void Requires_RecoveryCodesToBeOffered_OnlyUpToMfa(string acr, SecondFactorKind[] expected)
    {
        var user = WithTotp with { Passkeys = 1, RecoveryCodes = 3 };

        var decision = Evaluator.Evaluate(new(On, user, new(Password, Now), Request: new([acr], false)));

        Assert.Equal(expected, decision.Offer);
    }

    [Theory]
    [InlineData(true, false, false, true)]
    [InlineData(false, false, false, false)]
    [InlineData(true, true, false, false)]
    [InlineData(true, false, true, false)]
    public void Requires_EmailCodesToBeOffered_OnlyWithAConfirmedEmailAndNoAuthenticator(bool confirmedEmail, bool hasTotp, bool hasPasskey, bool offered)
    {
        var user = InStrictOrganisation with { HasEmail = confirmedEmail, HasTotp = hasTotp, Passkeys = hasPasskey ? 1 : 0 };

        var decision = Evaluator.Evaluate(new(On with { EmailFallback = true }, user, new(Password, Now)));

        Assert.Equal(offered, decision.Offer.Contains(SecondFactorKind.EmailCode));
    }

    [Fact]
    public void Rejects_WhenEmailFallbackIsOff_TheEmailCode()
    {
        var decision = Evaluator.Evaluate(new(On, InStrictOrganisation with { HasEmail = true }, new(Password, Now)));

        Assert.DoesNotContain(SecondFactorKind.EmailCode, decision.Offer);
        Assert.Equal(EnrolmentDemand.Required, decision.Enrolment);
    }

    [Fact]
    public void Requires_Nothing_OfAnUnknownAcrValue_AndSaysWhichWasIgnored()
    {
        var decision = Evaluator.Evaluate(new(On, Plain, new(Password, Now), Request: new(["urn:example:gold", "silver"], false)));

        Assert.True(decision.Satisfied);
        Assert.Equal(["acr-value-ignored", "acr-value-ignored", "mfa-optional", "satisfied"], decision.Reasons.Select(r => r.Code));
        Assert.Contains("'urn:example:gold'", decision.Reasons[0].Text, StringComparison.Ordinal);
        Assert.Contains("'silver'", decision.Reasons[1].Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "mfa" }, AssuranceLevel.Mfa)]
    [InlineData(new[] { "phr" }, AssuranceLevel.PhishingResistant)]
    [InlineData(new[] { "phr", "mfa" }, AssuranceLevel.Mfa)]
    [InlineData(new[] { "mfa", "phr" }, AssuranceLevel.Mfa)]
    [InlineData(new[] { "urn:example:gold", "phr" }, AssuranceLevel.PhishingResistant)]
    public void Requires_TheLeastOfTheAcrValueAlternatives(string[] acrValues, AssuranceLevel expected)
    {
        var decision = Evaluator.Evaluate(new(On, WithTotp with { Passkeys = 1 }, new(Password, Now), Request: new(acrValues, false)));

        Assert.Equal(expected, decision.Required);
    }

    [Theory]
    [InlineData(new[] { "pwd" }, null)]
    [InlineData(new[] { "pwd", "otp", "mfa" }, "mfa")]
    [InlineData(new[] { "pwd", "hwk", "mfa" }, "phr")]
    [InlineData(new[] { "pwd", "swk", "mfa" }, "phr")]
    [InlineData(new[] { "hwk", "user", "pin", "mfa" }, "phr")]
    [InlineData(new[] { "hwk" }, null)]
    public void Requires_TheStatedAcr_ToBeTheLevelReached(string[] amr, string? acr)
    {
        var decision = Evaluator.Evaluate(new(On, Plain, new(amr, Now)));

        Assert.Equal(acr, decision.Acr);
    }
}
