using System.Text.RegularExpressions;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Tests.Cli;

public sealed partial class CommandLineTests : IDisposable
{
    private readonly TestDatabase _database = TestDatabase.EmptySqlite();

    [Fact]
    public async Task Migrate_AppliesTheSchemaOnce()
    {
        var first = await IdentityProviderProcess.RunAsync(_database, "migrate");
        var second = await IdentityProviderProcess.RunAsync(_database, "migrate");

        Assert.Equal(0, first.ExitCode);
        Assert.Contains("Applied: 0001_Initial, 0002_ProtocolCore", first.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("Database schema is current.", second.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminCreate_PrintsALinkBoundToTheEmail_ThatTheServerAccepts()
    {
        var result = await IdentityProviderProcess.RunAsync(_database, "admin", "create", "--email", "grace@example.com");

        Assert.Equal(0, result.ExitCode);
        var link = SetupLink().Match(result.StandardOutput);
        Assert.True(link.Success, result.StandardOutput);
        Assert.DoesNotContain(link.Groups["token"].Value, result.StandardError, StringComparison.Ordinal);

        await using var server = new IdentityProviderFactory(_database);
        using var client = server.CreateBrowserlessClient();
        var page = await client.GetPageAsync(new Uri(link.Value).PathAndQuery);
        var email = page.Document.QuerySelector("input[name='Input.Email']");
        Assert.Equal("grace@example.com", email?.GetAttribute("value"));
        Assert.True(email?.HasAttribute("readonly"));
    }

    [Fact]
    public async Task AdminCreate_Refuses_WhenAnAdministratorExists()
    {
        var issued = await IdentityProviderProcess.RunAsync(_database, "admin", "create");
        var path = new Uri(SetupLink().Match(issued.StandardOutput).Value).PathAndQuery;
        await using (var server = new IdentityProviderFactory(_database))
        {
            using var client = server.CreateBrowserlessClient();
            var page = await client.GetPageAsync(path);
            await client.SubmitAsync(page, new Dictionary<string, string>
            {
                ["Input.Email"] = "grace@example.com",
                ["Input.Password"] = "a long enough password",
                ["Input.ConfirmPassword"] = "a long enough password",
            });
            Assert.Equal(1, await server.WithDbAsync(db => db.Users.CountAsync()));
        }

        var refused = await IdentityProviderProcess.RunAsync(_database, "admin", "create");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("An administrator already exists", refused.StandardError, StringComparison.Ordinal);
        Assert.DoesNotMatch(SetupLink(), refused.StandardOutput);
    }

    [Fact]
    public async Task ClientsAdd_ShowsTheSecretOnce_AndListShowsTheClientWithoutIt()
    {
        var added = await IdentityProviderProcess.RunAsync(_database,
            "clients", "add", "--id", "reports", "--grant-type", "client_credentials", "--scope", "reports.read");
        var listed = await IdentityProviderProcess.RunAsync(_database, "clients", "list");

        Assert.Equal(0, added.ExitCode);
        var secret = added.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Last();
        Assert.Equal(43, secret.Length);
        Assert.Equal(0, listed.ExitCode);
        Assert.Contains("reports\tconfidential\tclient_secret_basic\tclient_credentials", listed.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listed.StandardOutput + listed.StandardError + added.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientsAdd_ExplainsWhatIsWrong()
    {
        var result = await IdentityProviderProcess.RunAsync(_database,
            "clients", "add", "--id", "spa", "--public", "--grant-type", "authorization_code");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error: authorization_code needs at least one redirect URI.", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_RotateAndRevoke_AreVisibleInTheList()
    {
        var rotated = await IdentityProviderProcess.RunAsync(_database, "keys", "rotate", "--algorithm", "ES256");
        Assert.Equal(0, rotated.ExitCode);
        var newKid = rotated.StandardOutput.Split('\t')[0].Trim();

        var listed = await IdentityProviderProcess.RunAsync(_database, "keys", "list");
        Assert.Contains($"{newKid}\tES256\tpublished, not yet signing", listed.StandardOutput, StringComparison.Ordinal);
        var signingRs256 = listed.StandardOutput.Split('\n').Single(l => l.Contains("\tRS256\tsigning", StringComparison.Ordinal)).Split('\t')[0];

        var revoked = await IdentityProviderProcess.RunAsync(_database, "keys", "revoke", "--kid", signingRs256);
        var after = await IdentityProviderProcess.RunAsync(_database, "keys", "list");

        Assert.Equal(0, revoked.ExitCode);
        Assert.Contains($"{signingRs256}\tRS256\trevoked", after.StandardOutput, StringComparison.Ordinal);
        Assert.Single(after.StandardOutput.Split('\n'), l => l.Contains("\tRS256\tsigning", StringComparison.Ordinal));
        Assert.Equal(1, (await IdentityProviderProcess.RunAsync(_database, "keys", "revoke", "--kid", "nope")).ExitCode);
    }

    [Fact]
    public async Task UnknownCommand_ExitsWithUsage()
    {
        var result = await IdentityProviderProcess.RunAsync(_database, "frobnicate");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Usage:", result.StandardError, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"http://localhost/setup\?token=(?<token>[A-Za-z0-9_-]{43})")]
    private static partial Regex SetupLink();

    public void Dispose() => _database.Dispose();
}
