using IdentityProvider.Infrastructure.Email;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Email;

/// <summary>The app configured to send mail to a loopback SMTP port, with the dispatcher driven by the test.</summary>
internal static class EmailHost
{
    public const string FromAddress = "sign-in@idp.example";

    public static WebApplicationFactory<Program> Configure(IdentityProviderFactory factory, int? smtpPort, IReadOnlyDictionary<string, string>? settings = null) =>
        factory.WithWebHostBuilder(web =>
        {
            web.UseSetting("Email:From:Address", FromAddress);
            web.UseSetting("Email:From:DisplayName", "Example Sign-in");
            // The tests call DrainOnceAsync themselves; the timer must not also fire while they move the clock.
            web.UseSetting("Email:SendInterval", "10.00:00:00");
            if (smtpPort is { } port)
            {
                web.UseSetting("Email:Smtp:Host", "127.0.0.1");
                web.UseSetting("Email:Smtp:Port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
                web.UseSetting("Email:Smtp:Timeout", "00:00:10");
            }

            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                web.UseSetting(key, value);
            }
        });

    public static OutboxEmailDispatcher Dispatcher(this WebApplicationFactory<Program> app) =>
        app.Services.GetRequiredService<OutboxEmailDispatcher>();

    public static async Task QueueAsync(this WebApplicationFactory<Program> app, EmailMessage message)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IEmailSender>().QueueAsync(message, CancellationToken.None);
    }

    public static async Task<List<EmailOutboxMessage>> OutboxAsync(this WebApplicationFactory<Program> app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityProviderDbContext>();
        return await db.EmailOutbox.AsNoTracking().OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).ToListAsync();
    }
}
