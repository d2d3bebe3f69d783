using System.Text.Json;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.AdminApi;

/// <summary>
/// One host for the whole class: the tests only read the document and the route table, and there
/// are eighty of them.
/// </summary>
public sealed class AdminApiDocumentHost : IAsyncLifetime
{
    public AdminApiHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await AdminApiHost.StartAsync(TestDatabase.Sqlite());

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>The OpenAPI description at /admin/api/openapi.json against the routes actually mapped.</summary>
public sealed class AdminApiDocumentTests(AdminApiDocumentHost fixture) : IClassFixture<AdminApiDocumentHost>
{
    private readonly AdminApiHost _host = fixture.Host;

    private async Task<JsonElement> DocumentAsync()
    {
        var response = await _host.Client.GetAsync("/admin/api/openapi.json");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await CodeFlow.JsonAsync(response);
    }

    [Fact]
    public async Task Describes_EveryMappedAdminApiRoute()
    {
        var document = await DocumentAsync();
        // Read the route table directly, not through the document's own helper.
        var mapped = _host.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/admin/api", StringComparison.Ordinal))
            .SelectMany(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()!.HttpMethods.Select(m => (e.RoutePattern.RawText!, m)))
            .ToList();

        Assert.True(mapped.Count >= 5);
        foreach (var (path, method) in mapped)
        {
            Assert.True(document.GetProperty("paths").TryGetProperty(path, out var item), $"{path} is not described");
            Assert.True(item.TryGetProperty(method.ToLowerInvariant(), out _), $"{method} {path} is not described");
        }
    }

    [Theory]
    [InlineData("/admin/api/users", "get", new[] { "200", "400", "401", "403" })]
    [InlineData("/admin/api/users/{userId}", "get", new[] { "200", "401", "403", "404" })]
    [InlineData("/admin/api/users/{userId}/mfa", "delete", new[] { "204", "401", "403", "404" })]
    [InlineData("/admin/api/users/{userId}/unlock", "post", new[] { "204", "401", "403", "404" })]
    [InlineData("/admin/api/users/{userId}/passkeys", "get", new[] { "200", "401", "403", "404" })]
    [InlineData("/admin/api/users/{userId}/passkeys/{passkeyId}", "delete", new[] { "204", "400", "401", "403", "404" })]
    [InlineData("/admin/api/users/{userId}/passkey-request", "post", new[] { "200", "401", "403", "404" })]
    [InlineData("/admin/api/users/{userId}/passkey-request", "delete", new[] { "204", "401", "403", "404" })]
    [InlineData("/admin/api/users/{userId}/mfa-required", "put", new[] { "204", "400", "401", "403", "404" })]
    [InlineData("/admin/api/users/{userId}/organisation", "put", new[] { "204", "400", "401", "403", "404" })]
    [InlineData("/admin/api/users", "post", new[] { "201", "400", "401", "403" })]
    [InlineData("/admin/api/users/{userId}", "put", new[] { "200", "400", "401", "403", "404" })]
    [InlineData("/admin/api/users/{userId}/disable", "post", new[] { "204", "401", "403", "404", "409" })]
    [InlineData("/admin/api/users/{userId}/enable", "post", new[] { "204", "401", "403", "404" })]
    [InlineData("/admin/api/users/{userId}/password-reset", "post", new[] { "204", "400", "401", "403", "404" })]
    [InlineData("/admin/api/mfa-policy", "get", new[] { "200", "401", "403" })]
    [InlineData("/admin/api/mfa-policy", "put", new[] { "200", "400", "401", "403" })]
    [InlineData("/admin/api/organisations", "get", new[] { "200", "401", "403" })]
    [InlineData("/admin/api/organisations", "post", new[] { "201", "400", "401", "403", "409" })]
    [InlineData("/admin/api/organisations/{organisationId}", "get", new[] { "200", "401", "403", "404" })]
    [InlineData("/admin/api/organisations/{organisationId}", "delete", new[] { "204", "401", "403", "404" })]
    [InlineData("/admin/api/organisations/{organisationId}/require-mfa", "put", new[] { "204", "400", "401", "403", "404" })]
    [InlineData("/admin/api/policy-check", "get", new[] { "200", "400", "401", "403", "404" })]
    [InlineData("/admin/api/audit", "get", new[] { "200", "400", "401", "403" })]
    [InlineData("/admin/api/audit.csv", "get", new[] { "200", "400", "401", "403" })]
    [InlineData("/admin/api/security-settings", "get", new[] { "200", "401", "403" })]
    [InlineData("/admin/api/security-settings", "put", new[] { "200", "400", "401", "403" })]
    [InlineData("/admin/api/roles", "get", new[] { "200", "401", "403" })]
    [InlineData("/admin/api/roles", "post", new[] { "201", "400", "401", "403", "409" })]
    [InlineData("/admin/api/roles/{role}", "get", new[] { "200", "401", "403", "404" })]
    [InlineData("/admin/api/roles/{role}", "delete", new[] { "204", "401", "403", "404", "409" })]
    [InlineData("/admin/api/users/{userId}/roles", "put", new[] { "200", "400", "401", "403", "404", "409" })]
    [InlineData("/admin/api/clients", "get", new[] { "200", "401", "403" })]
    [InlineData("/admin/api/clients", "post", new[] { "201", "400", "401", "403", "409" })]
    [InlineData("/admin/api/clients/{clientId}", "get", new[] { "200", "401", "403", "404" })]
    [InlineData("/admin/api/clients/{clientId}", "put", new[] { "200", "400", "401", "403", "404" })]
    [InlineData("/admin/api/clients/{clientId}", "delete", new[] { "204", "401", "403", "404" })]
    [InlineData("/admin/api/clients/{clientId}/secret", "post", new[] { "200", "401", "403", "404", "409" })]
    [InlineData("/admin/api/upstream-providers", "get", new[] { "200", "401", "403" })]
    [InlineData("/admin/api/upstream-providers", "post", new[] { "201", "400", "401", "403", "409" })]
    [InlineData("/admin/api/upstream-providers/{providerId}", "get", new[] { "200", "401", "403", "404" })]
    [InlineData("/admin/api/upstream-providers/{providerId}", "put", new[] { "200", "400", "401", "403", "404", "409" })]
    [InlineData("/admin/api/upstream-providers/{providerId}", "delete", new[] { "204", "401", "403", "404", "409" })]
    [InlineData("/admin/api/email-templates", "get", new[] { "200", "401", "403" })]
    [InlineData("/admin/api/email-templates/{key}", "get", new[] { "200", "401", "403", "404" })]
    [InlineData("/admin/api/email-templates/{key}", "put", new[] { "200", "400", "401", "403", "404" })]
    [InlineData("/admin/api/email-templates/{key}", "delete", new[] { "204", "401", "403", "404" })]
    [InlineData("/admin/api/email-templates/{key}/preview", "post", new[] { "200", "400", "401", "403", "404" })]
    [InlineData("/admin/api/overview", "get", new[] { "200", "401", "403" })]
    public async Task Describes_EveryOutcome_AndTheBearerRequirement(string path, string method, string[] statuses)
    {
        var operation = (await DocumentAsync()).GetProperty("paths").GetProperty(path).GetProperty(method);

        Assert.Equal(statuses, operation.GetProperty("responses").EnumerateObject().Select(r => r.Name));
        Assert.Equal("idp.admin", operation.GetProperty("security")[0].GetProperty("bearer")[0].GetString());
    }

    [Theory]
    [InlineData("/admin/api/mfa-policy", "put", "security.manage_settings")]
    [InlineData("/admin/api/organisations", "get", "users.read")]
    [InlineData("/admin/api/organisations", "post", "security.manage_settings")]
    [InlineData("/admin/api/users/{userId}/mfa-required", "put", "users.manage_factors")]
    [InlineData("/admin/api/users", "get", "users.read")]
    [InlineData("/admin/api/users/{userId}/mfa", "delete", "users.manage_factors")]
    [InlineData("/admin/api/users", "post", "users.manage")]
    [InlineData("/admin/api/users/{userId}/disable", "post", "users.manage")]
    [InlineData("/admin/api/policy-check", "get", "users.read")]
    [InlineData("/admin/api/audit", "get", "audit.read")]
    [InlineData("/admin/api/audit.csv", "get", "audit.read")]
    [InlineData("/admin/api/security-settings", "put", "security.manage_settings")]
    [InlineData("/admin/api/roles", "get", "users.read")]
    [InlineData("/admin/api/roles/{role}", "delete", "security.manage_settings")]
    [InlineData("/admin/api/users/{userId}/roles", "put", "security.manage_settings")]
    [InlineData("/admin/api/clients", "post", "clients.manage")]
    [InlineData("/admin/api/clients/{clientId}/secret", "post", "clients.manage")]
    [InlineData("/admin/api/upstream-providers", "get", "users.read")]
    [InlineData("/admin/api/upstream-providers", "post", "security.manage_settings")]
    [InlineData("/admin/api/upstream-providers/{providerId}", "get", "users.read")]
    [InlineData("/admin/api/upstream-providers/{providerId}", "put", "security.manage_settings")]
    [InlineData("/admin/api/upstream-providers/{providerId}", "delete", "security.manage_settings")]
    [InlineData("/admin/api/email-templates", "get", "security.manage_settings")]
    [InlineData("/admin/api/email-templates/{key}", "get", "security.manage_settings")]
    [InlineData("/admin/api/email-templates/{key}", "put", "security.manage_settings")]
    [InlineData("/admin/api/email-templates/{key}", "delete", "security.manage_settings")]
    [InlineData("/admin/api/email-templates/{key}/preview", "post", "security.manage_settings")]
    [InlineData("/admin/api/overview", "get", "users.read")]
    public async Task Names_ThePermission(string path, string method, string permission)
    {
        var operation = (await DocumentAsync()).GetProperty("paths").GetProperty(path).GetProperty(method);

        Assert.Contains($"'{permission}'", operation.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Describes_RequestBodies_AndQueryParameters()
    {
        var document = await DocumentAsync();
        var paths = document.GetProperty("paths");
        var put = paths.GetProperty("/admin/api/mfa-policy").GetProperty("put");
        var check = paths.GetProperty("/admin/api/policy-check").GetProperty("get");

        var reference = put.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString();
        Assert.Equal("#/components/schemas/MfaPolicyUpdate", reference);
        var update = document.GetProperty("components").GetProperty("schemas").GetProperty("MfaPolicyUpdate").GetProperty("properties");
        Assert.True(update.TryGetProperty("enforceFor", out _));
        Assert.Equal(["userId", "clientId", "acrValues"], check.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.All(check.GetProperty("parameters").EnumerateArray(), p => Assert.Equal("query", p.GetProperty("in").GetString()));
        Assert.Equal([true, false, false], check.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("required").GetBoolean()));
        Assert.False(paths.GetProperty("/admin/api/mfa-policy").GetProperty("get").TryGetProperty("requestBody", out _));
    }

    [Fact]
    public async Task IsOpenApi31_WithTheBearerSecurityScheme()
    {
        var document = await DocumentAsync();

        Assert.Equal("3.1.0", document.GetProperty("openapi").GetString());
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());
        Assert.True(document.GetProperty("components").GetProperty("schemas").TryGetProperty("PasskeySummary", out _));
    }
}
