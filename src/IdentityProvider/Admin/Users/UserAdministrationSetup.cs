namespace IdentityProvider.Admin.Users;

internal static class UserAdministrationSetup
{
    /// <summary>The users list, one user's details and the account actions: shared by the console and the admin API.</summary>
    public static IServiceCollection AddUserAdministration(this IServiceCollection services)
    {
        services.AddScoped<UserDirectory>();
        services.AddScoped<UserDetails>();
        services.AddScoped<UserAccountActions>();
        services.AddScoped<UserAccountChanges>();
        services.AddScoped<LastAdministratorGuard>();
        return services;
    }
}
