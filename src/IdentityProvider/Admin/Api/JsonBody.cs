using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace IdentityProvider.Admin.Api;

/// <summary>
/// A JSON request body that the handler, not the binder, refuses. Minimal APIs answer a body they
/// cannot read with a bare 400 before any endpoint filter runs, which the host's status pages then
/// turn into HTML; binding through this type lets the endpoint answer with problem details instead.
/// </summary>
/// <typeparam name="T">The body's type; the OpenAPI document describes it as the request body.</typeparam>
public sealed class JsonBody<T> : IBindableFromHttpContext<JsonBody<T>>, IEndpointParameterMetadataProvider
    where T : class
{
    private JsonBody(T? value, ProblemDetails? problem)
    {
        Value = value;
        Problem = problem;
    }

    /// <summary>Null when the body was JSON <c>null</c>, or could not be read (then <see cref="Problem"/> says why).</summary>
    public T? Value { get; }

    public ProblemDetails? Problem { get; }

    public static async ValueTask<JsonBody<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        if (!context.Request.HasJsonContentType())
        {
            return new JsonBody<T>(null, AdminApiProblems.MalformedBody("The body must be JSON (Content-Type: application/json)."));
        }

        try
        {
            // The same serializer options as every other minimal API body (camelCase, case-insensitive).
            return new JsonBody<T>(await context.Request.ReadFromJsonAsync<T>(context.RequestAborted), null);
        }
        catch (JsonException e)
        {
            // The JSON path only: the exception's message names CLR types, which are not the caller's business.
            return new JsonBody<T>(null, AdminApiProblems.MalformedBody($"The body is not valid JSON for this operation (at {e.Path ?? "$"})."));
        }
        catch (InvalidOperationException)
        {
            // ReadFromJsonAsync's only refusal before parsing: a charset parameter naming no encoding .NET knows.
            return new JsonBody<T>(null, AdminApiProblems.MalformedBody("The body's charset is not a known encoding; send UTF-8 JSON."));
        }
    }

    /// <summary>
    /// Describes the body for the OpenAPI document (which then lists application/json) without naming a
    /// content type here: with one, routing itself would answer other content types with a bare 415,
    /// rendered by the status pages as HTML; without, <see cref="BindAsync"/> answers with problem details.
    /// </summary>
    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        builder.Metadata.Add(new AcceptsMetadata([], typeof(T), isOptional: false));
}
