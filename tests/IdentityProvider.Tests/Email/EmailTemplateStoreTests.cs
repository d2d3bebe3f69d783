using IdentityProvider.Infrastructure.Email;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Email;

public sealed class SqliteEmailTemplateStoreTests : EmailTemplateStoreTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresEmailTemplateStoreTests(PostgresCluster cluster) : EmailTemplateStoreTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>The stored override, or the default, on both engines.</summary>
public abstract class EmailTemplateStoreTests : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private IdentityProviderFactory _factory = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        _factory = new IdentityProviderFactory(_database);
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        _database.Dispose();
    }

    [Fact]
    public async Task ReturnsTheDefault_WithoutAnOverride()
    {
        await using var scope = _factory.Services.CreateAsyncScope();

        var template = await scope.ServiceProvider.GetRequiredService<EmailTemplateStore>().GetAsync(EmailTemplates.EmailSignInCode, CancellationToken.None);

        Assert.Equal(EmailTemplates.EmailSignInCode, template);
    }

    [Fact]
    public async Task ReturnsTheSavedOverride_AndTheDefaultAgainAfterAReset()
    {
        var changed = EmailTemplates.EmailSignInCode with { Subject = "Code for {user}", TextBody = "Your code: {code}", HtmlBody = "<p>Ünïcode {code}</p>" };
        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            Assert.Empty(await scope.ServiceProvider.GetRequiredService<EmailTemplateStore>().SaveAsync(changed, "admin", CancellationToken.None));
        }

        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            var store = scope.ServiceProvider.GetRequiredService<EmailTemplateStore>();
            Assert.Equal(changed, await store.GetAsync(EmailTemplates.EmailSignInCode, CancellationToken.None));
            Assert.True(await store.ResetAsync(changed.Name, "admin", CancellationToken.None));
            Assert.Equal(EmailTemplates.EmailSignInCode, await store.GetAsync(EmailTemplates.EmailSignInCode, CancellationToken.None));
        }
    }

    [Fact]
    public async Task Rejects_AnUnknownPlaceholder()
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<EmailTemplateStore>();

        var problems = await store.SaveAsync(EmailTemplates.EmailSignInCode with { TextBody = "{code} {link}" }, "admin", CancellationToken.None);

        Assert.Contains(problems, p => p.Field == "textBody" && p.Message.StartsWith("{link} is not a placeholder of this message.", StringComparison.Ordinal));
        Assert.Equal(EmailTemplates.EmailSignInCode, await store.GetAsync(EmailTemplates.EmailSignInCode, CancellationToken.None));
    }
}
