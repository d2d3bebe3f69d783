using IdentityProvider.Account;
using IdentityProvider.Admin.Api;
using IdentityProvider.Authentication;
using IdentityProvider.Federation;
using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Admin.Users;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Admin.ConsoleAccess;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Infrastructure.Branding;
using IdentityProvider.Infrastructure.Localization;
using IdentityProvider.Pages;
using IdentityProvider.Policy;
using IdentityProvider.Protocol.Interaction;
using IdentityProvider.Infrastructure.Email;
using IdentityProvider.Infrastructure.Health;
using IdentityProvider.Infrastructure.Security;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Persistence.Stores;
using IdentityProvider.Protocol.Stores;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;

namespace IdentityProvider.Infrastructure;

internal static class ServiceCollectionExtensions
{
    public static IServiceCollection AddIdentityProvider(this IServiceCollection services, IConfiguration configuration)
    {
        // First hosted service: the schema must exist before data protection's own hosted
        // service reads its key table (hosted services start in registration order).
        services.AddHostedService<StartupTasks>();
        services.AddSingleton(TimeProvider.System);
        services.Configure<BootstrapOptions>(configuration.GetSection(BootstrapOptions.SectionName));
        services.AddHttpContextAccessor();

        services.AddPersistence(configuration);

        services.AddSharedDataProtection(configuration);

        services.AddIdentityCore<ApplicationUser>(options =>
            {
                options.User.RequireUniqueEmail = true;
                options.Password.RequiredLength = 12;
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireDigit = false;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<IdentityProviderDbContext>();

        services.AddMemoryCache();
        services.Configure<CachingOptions>(configuration.GetSection(CachingOptions.SectionName));
        services.AddSingleton<EfClientStore>();
        services.AddSingleton<IClientStore>(sp => sp.GetRequiredService<EfClientStore>());
        services.AddScoped<ClientManager>();
        services.AddScoped<ConfiguredClientsImporter>();

        services.AddMfaPolicy(configuration);
        services.AddProtocol(configuration);
        services.AddSignInSessions(configuration);
        services.AddFactors(configuration);
        services.AddAdminApi(configuration);
        services.AddUserAdministration();
        services.AddFederation(configuration);

        services.AddScoped<IAuditLog, AuditLog>();
        services.AddEmail(configuration);
        services.AddScoped<ConnectedApplications>();
        services.AddScoped<SecuritySettings>();
        services.AddOptions<LostDeviceOptions>()
            .Bind(configuration.GetSection(LostDeviceOptions.SectionName))
            .Validate(o => o.LinkLifetime > TimeSpan.Zero && o.RequestInterval >= TimeSpan.Zero,
                "LostDevice:LinkLifetime must be positive and LostDevice:RequestInterval not negative.")
            .ValidateOnStart();
        services.AddScoped<EmailedLinks>();
        services.AddScoped<LostDeviceRecovery>();
        services.AddOptions<PasswordResetOptions>()
            .Bind(configuration.GetSection(PasswordResetOptions.SectionName))
            .Validate(o => o.LinkLifetime > TimeSpan.Zero && o.InvitationLifetime > TimeSpan.Zero && o.RequestInterval >= TimeSpan.Zero,
                "PasswordReset:LinkLifetime and PasswordReset:InvitationLifetime must be positive and PasswordReset:RequestInterval not negative.")
            .ValidateOnStart();
        services.AddScoped<PasswordResetLinks>();
        services.AddScoped<SetupLinkIssuer>();
        services.AddScoped<SetupLinkRedeemer>();
        services.AddSingleton<ISetupLinkAnnouncer, ConsoleSetupLinkAnnouncer>();

        services.AddTrustedProxies(configuration);
        services.AddIdentityProviderHealthChecks(configuration);
        services.AddBranding(configuration);
        services.AddPageLocalization();
        services.AddSingleton<IInteractionPages, InteractionPages>();
        services.AddScoped<AdminConsoleFilter>();
        services.AddRazorPages(pages => pages.Conventions.AddFolderApplicationModelConvention("/Admin",
                model => model.Filters.Add(new ServiceFilterAttribute(typeof(AdminConsoleFilter)))))
            .AddMvcOptions(mvc =>
            {
                mvc.Filters.Add(new Web.UnmatchedPageHandlerFilter());
                // No form here posts jQuery's a[b] keys, and their reader throws on a key with an
                // unclosed bracket ("x[=1"), which answered any page's post with a 500.
                mvc.ValueProviderFactories.RemoveType<JQueryFormValueProviderFactory>();
                mvc.ValueProviderFactories.RemoveType<JQueryQueryStringValueProviderFactory>();
            })
            .AddViewLocalization();
        return services;
    }
}
