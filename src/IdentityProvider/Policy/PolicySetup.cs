using IdentityProvider.Protocol.Interaction;

namespace IdentityProvider.Policy;

internal static class PolicySetup
{
    /// <summary>The MFA policy. Registered before the protocol, whose default requirement evaluator it replaces.</summary>
    public static IServiceCollection AddMfaPolicy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MfaPolicyOptions>()
            .Bind(configuration.GetSection(MfaPolicyOptions.SectionName))
            .Validate(o => MfaSettingsStore.Validate(o.ToSettings()).Count == 0, "Mfa: " + "GraceSignIns 0-100, GraceDays and RememberBrowserDays 0-365, and EnforceFor=Roles needs EnforcedRoles.")
            .ValidateOnStart();
        services.AddSingleton<MfaPolicyEvaluator>();
        services.AddSingleton<IAuthenticationRequirementEvaluator, ApplicationRequirementEvaluator>();
        services.AddScoped<MfaSettingsStore>();
        services.AddSingleton<SecuritySettingsReader>();
        services.AddScoped<SecuritySettingsStore>();
        services.AddScoped<UserRoleAssignment>();
        services.AddScoped<MfaPolicyInputs>();
        services.AddScoped<OrganisationDirectory>();
        services.AddScoped<RoleDirectory>();
        services.AddScoped<UserMfaRequirement>();
        services.AddScoped<PolicyCheck>();
        return services;
    }
}
