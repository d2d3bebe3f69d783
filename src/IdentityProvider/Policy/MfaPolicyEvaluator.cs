using System.Globalization;

namespace IdentityProvider.Policy;

/// <summary>
/// The one place that answers, for a sign-in in progress: which level it must reach, which
/// factors can still get it there, whether the user must set one up first, and why. Read top to
/// bottom, it is the ordered list of reasons an administrator sees in the policy check:
/// <list type="number">
/// <item>what the application demands (its own requirement, the request's <c>acr_values</c>);</item>
/// <item>whether MFA is on at all (the global switch);</item>
/// <item>what the user's policy demands (federation, a remembered browser, an enrolled factor,
/// the user flag, the organisation, the roles);</item>
/// <item>whether the factors proven so far reach the higher of the two, and if not, what can.</item>
/// </list>
/// A pure function of its input: no clock, no database, so every case is a unit test.
/// </summary>
public sealed class MfaPolicyEvaluator
{
    public MfaDecision Evaluate(MfaPolicyInput input)
    {
        var reasons = new List<PolicyReason>();
        var settings = input.Settings;
        var reached = AssuranceLevels.FromAmr(input.SignIn.Amr);

        var demanded = ApplicationDemand(input, reasons);
        var policy = AssuranceLevel.Single;
        if (settings.MfaEnabled)
        {
            policy = UserPolicyDemand(input, reasons);
        }
        else
        {
            reasons.Add(new("mfa-off", "MFA is turned off for everyone: no second factor is asked and none can be set up."));
        }

        // The console's keys are never one password away, whatever the users' policy (issue 7).
        var administrator = input.User.IsAdministrator;
        if (administrator && policy < AssuranceLevel.Mfa)
        {
            reasons.Add(new("administrator-requires-mfa", "Administrators always use a second factor, whatever the users' policy says."));
            policy = AssuranceLevel.Mfa;
        }

        var mfaUsable = settings.MfaEnabled || administrator;
        var required = Max(demanded, policy);
        if (reached >= required)
        {
            reasons.Add(new("satisfied", $"The sign-in reached {Describe(reached)}, which is enough."));
            return new MfaDecision(required, reached, [], EnrolmentDemand.None, mfaUsable, reasons);
        }

        var offer = mfaUsable ? Offer(input.User, settings, required) : [];
        if (offer.Count > 0)
        {
            reasons.Add(new("second-factor-due", $"{Describe(required)} is needed; the user can use: {string.Join(", ", offer)}."));
            return new MfaDecision(required, reached, offer, EnrolmentDemand.None, mfaUsable, reasons);
        }

        if (!mfaUsable)
        {
            reasons.Add(new("cannot-be-met", $"The application requires {Describe(required)}, which cannot be met while MFA is off."));
            return new MfaDecision(required, reached, [], EnrolmentDemand.None, false, reasons);
        }

        // Setting up a factor on the strength of a password alone is what the policy's forced
        // enrolment accepts for users who have none; a user who has factors proves them instead,
        // and an application's demand alone never turns a password into a new factor.
        if (policy < AssuranceLevel.Mfa || input.User.HasAuthenticator)
        {
            reasons.Add(new("cannot-be-met", $"{Describe(required)} is needed, and the user has no factor that provides it; the application is told so."));

            // The session this sign-in leaves behind must still meet the user's own policy, or the
            // password alone would open every other application to a user who has a second factor.
            if (policy > reached && Offer(input.User, settings, policy) is { Count: > 0 } own)
            {
                reasons.Add(new("own-policy-first", $"Before that, the user proves the factor their own policy asks for: {string.Join(", ", own)}."));
                return new MfaDecision(policy, reached, own, EnrolmentDemand.None, true, reasons);
            }

            return new MfaDecision(required, reached, [], EnrolmentDemand.None, true, reasons);
        }

        return Enrolment(input, required, reached, applicationDemands: demanded > reached, reasons);
    }

    private static AssuranceLevel ApplicationDemand(MfaPolicyInput input, List<PolicyReason> reasons)
    {
        var demand = AssuranceLevel.Single;
        if (input.Client is { RequiredAcr: { } clientAcr } client && AssuranceLevels.FromAcr(clientAcr) is { } clientLevel)
        {
            reasons.Add(new("client-requires", $"The application {client.DisplayName} requires {Describe(clientLevel)} for every sign-in."));
            demand = clientLevel;
        }

        if (input.Request is { AcrValues.Count: > 0 } request)
        {
            var known = request.AcrValues.Select(AssuranceLevels.FromAcr).OfType<AssuranceLevel>().ToList();
            foreach (var unknown in request.AcrValues.Where(v => AssuranceLevels.FromAcr(v) is null))
            {
                reasons.Add(new("acr-value-ignored", $"The requested acr value '{unknown}' is not one this provider defines; it is ignored."));
            }

            if (known.Count > 0)
            {
                // OIDC Core §3.1.2.1: the values are alternatives in order of preference; meeting any one is enough.
                var level = known.Min();
                reasons.Add(new("acr-values-requested", $"The application asked for {Describe(level)} (acr_values {string.Join(" ", request.AcrValues)})."));
                demand = Max(demand, level);
            }
        }

        return demand;
    }

    private static AssuranceLevel UserPolicyDemand(MfaPolicyInput input, List<PolicyReason> reasons)
    {
        var (settings, user, signIn) = (input.Settings, input.User, input.SignIn);
        var mandatory = false;
        switch (signIn.Federation)
        {
            case { Linking: true } federation:
                reasons.Add(new("federated-linking", $"The user is linking a {federation.Provider} account to this account, so this account's own second factor is asked."));
                mandatory = true;
                break;
            case { Rule: FederatedMfaRule.Bypass } federation:
                reasons.Add(new("federated-bypass", $"Signed in through {federation.Provider}, which is trusted in place of a second factor here."));
                return AssuranceLevel.Single;
            case { Rule: FederatedMfaRule.TrustUpstreamAmr, UpstreamShowedMfa: true } federation:
                reasons.Add(new("federated-upstream-mfa", $"{federation.Provider} reports that the user signed in there with more than one factor."));
                return AssuranceLevel.Single;
            case { Rule: FederatedMfaRule.TrustUpstreamAmr } federation:
                reasons.Add(new("federated-upstream-single-factor", $"{federation.Provider} does not report a second factor, so one is asked here."));
                mandatory = true;
                break;
            case { Rule: FederatedMfaRule.RequireLocal } federation:
                reasons.Add(new("federated-require-local", $"Users of {federation.Provider} must also pass a second factor here."));
                mandatory = true;
                break;
        }

        if (signIn.RememberedBrowser && user.HasAuthenticator)
        {
            if (signIn.Federation is { Linking: true })
            {
                reasons.Add(new("remembered-browser-ignored", "This browser is remembered, but linking an account needs this account's own factors proven now."));
            }
            else if (input.Request is { ForcesReauthentication: true })
            {
                reasons.Add(new("remembered-browser-ignored", "This browser is remembered, but the application asked for a fresh sign-in (prompt=login or max_age)."));
            }
            else
            {
                reasons.Add(new("remembered-browser", "The user chose not to be asked again on this browser, and that choice has not expired."));
                return AssuranceLevel.Single;
            }
        }

        var enrolled = user.HasAuthenticator;
        if (enrolled)
        {
            var what = user.HasTotp && user.Passkeys > 0 ? "an authenticator app and passkeys" : user.HasTotp ? "an authenticator app" : "a passkey";
            reasons.Add(new("enrolled", $"The user has set up {what}, so a second factor is asked at every sign-in."));
        }

        if (user.MfaRequired)
        {
            reasons.Add(new("user-requires-mfa", "An administrator set \"MFA required\" on this user."));
            mandatory = true;
        }

        if (user.OrganisationRequiresMfa)
        {
            reasons.Add(new("organisation-requires-mfa", $"The user's organisation {user.OrganisationName} requires MFA."));
            mandatory = true;
        }

        switch (settings.EnforceFor)
        {
            case EnforcementScope.AllUsers:
                reasons.Add(new("all-users-require-mfa", "MFA is enforced for all users."));
                mandatory = true;
                break;
            case EnforcementScope.Roles when user.Roles.FirstOrDefault(settings.NamesRole) is { } role:
                reasons.Add(new("role-requires-mfa", $"MFA is enforced for the role {role}, which the user has."));
                mandatory = true;
                break;
        }

        if (!enrolled && !mandatory)
        {
            reasons.Add(new("mfa-optional", "Nothing requires MFA for this user: setting it up is optional."));
        }

        return enrolled || mandatory ? AssuranceLevel.Mfa : AssuranceLevel.Single;
    }

    private static List<SecondFactorKind> Offer(UserFacts user, MfaPolicySettings settings, AssuranceLevel required)
    {
        var offer = new List<SecondFactorKind>();
        if (user.HasTotp && required <= AssuranceLevel.Mfa)
        {
            offer.Add(SecondFactorKind.Totp);
        }

        if (user.Passkeys > 0)
        {
            offer.Add(SecondFactorKind.Passkey);
        }

        if (user.RecoveryCodes > 0 && required <= AssuranceLevel.Mfa)
        {
            offer.Add(SecondFactorKind.RecoveryCode);
        }

        // Odoo's "2FA by mail": only for those who have no authenticator of their own.
        if (settings.EmailFallback && user.HasEmail && !user.HasAuthenticator && required <= AssuranceLevel.Mfa)
        {
            offer.Add(SecondFactorKind.EmailCode);
        }

        return offer;
    }

    private static MfaDecision Enrolment(MfaPolicyInput input, AssuranceLevel required, AssuranceLevel reached, bool applicationDemands, List<PolicyReason> reasons)
    {
        var (settings, user, now) = (input.Settings, input.User, input.SignIn.Now);
        var what = required == AssuranceLevel.PhishingResistant ? "a passkey" : "an authenticator app or a passkey";
        int? signInsLeft = settings.GraceSignIns > 0 ? Math.Max(0, settings.GraceSignIns - user.EnrolmentDeferrals) : null;
        DateTimeOffset? endsAt = settings.GraceDays > 0 ? (user.EnrolmentDueSince ?? now).AddDays(settings.GraceDays) : null;
        var graceLeft = signInsLeft > 0 || endsAt > now;

        // An application's demand is for this sign-in, and an administrator's factor is not
        // optional: neither can be postponed.
        if (graceLeft && !applicationDemands && !user.IsAdministrator)
        {
            var until = endsAt is { } end ? " until " + end.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "";
            var count = signInsLeft is { } left ? $" ({left} more sign-in{(left == 1 ? "" : "s")})" : "";
            reasons.Add(new("may-postpone", $"The user must set up {what}, but may postpone it{count}{until}."));
            return new MfaDecision(required, reached, [], EnrolmentDemand.Deferrable, true, reasons, signInsLeft, endsAt);
        }

        reasons.Add(new("must-enrol", $"The user has no factor that reaches {Describe(required)} and must set up {what} before continuing."));
        return new MfaDecision(required, reached, [], EnrolmentDemand.Required, true, reasons, signInsLeft, endsAt);
    }

    private static AssuranceLevel Max(AssuranceLevel a, AssuranceLevel b) => a >= b ? a : b;

    private static string Describe(AssuranceLevel level) => level switch
    {
        AssuranceLevel.PhishingResistant => "phishing-resistant MFA (a passkey)",
        AssuranceLevel.Mfa => "MFA",
        _ => "a single factor",
    };
}
