using Microsoft.Extensions.Options;

namespace IdentityProvider.Infrastructure.Email;

internal static class EmailServiceCollectionExtensions
{
    public static IServiceCollection AddEmail(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EmailOptions>().Bind(configuration.GetSection(EmailOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EmailOptions>, EmailOptionsValidator>();
        // Scoped: queuing shares the caller's database context, and with it the caller's transaction.
        services.AddScoped<IEmailSender, OutboxEmailSender>();
        services.AddScoped<EmailTemplateStore>();
        services.AddScoped<AdministratorNotifier>();
        services.AddSingleton<OutboxEmailDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxEmailDispatcher>());
        return services;
    }
}
