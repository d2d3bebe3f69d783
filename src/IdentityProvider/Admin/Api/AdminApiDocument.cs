using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentityProvider.Admin.Api;

/// <summary>
/// The OpenAPI 3.1 description of the admin API, written from the metadata of the endpoints that
/// are actually mapped under <see cref="AdminApi.Prefix"/> (methods, route parameters, typed-result
/// responses, required permission), so it cannot drift from the routes.
/// </summary>
public sealed partial class AdminApiDocument(EndpointDataSource endpoints)
{
    public const string SecuritySchemeName = "bearer";

    private byte[]? _json;

    /// <summary>Built once, on first request: endpoints do not change after start-up.</summary>
    public byte[] Utf8Json => _json ??= JsonSerializer.SerializeToUtf8Bytes(Build());

    /// <summary>The admin API's route endpoints; the document and its test both read this list.</summary>
    public IEnumerable<(string Path, string Method, RouteEndpoint Endpoint)> Operations() =>
        from endpoint in endpoints.Endpoints.OfType<RouteEndpoint>()
        let path = OpenApiPath(endpoint.RoutePattern.RawText ?? "")
        where path.StartsWith(AdminApi.Prefix, StringComparison.Ordinal)
        from method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []
        orderby path, method
        select (path, method, endpoint);

    private JsonObject Build()
    {
        var schemas = new JsonSchemaBuilder();
        var paths = new JsonObject();
        foreach (var (path, method, endpoint) in Operations())
        {
            if (paths[path] is not JsonObject item)
            {
                item = [];
                paths[path] = item;
            }

            item[method.ToLowerInvariant()] = Operation(endpoint, schemas);
        }

        return new JsonObject
        {
            ["openapi"] = "3.1.0",
            ["info"] = new JsonObject
            {
                ["title"] = "Identity provider admin API",
                ["version"] = "1",
                ["description"] = $"Every call needs an access token of this provider with the scope '{AdminApiScopes.Admin}' " +
                    "and the permission the operation names. Errors are RFC 9457 problem details.",
            },
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["schemas"] = schemas.Components,
                ["securitySchemes"] = new JsonObject
                {
                    [SecuritySchemeName] = new JsonObject { ["type"] = "http", ["scheme"] = "bearer", ["bearerFormat"] = "JWT" },
                },
            },
        };
    }

    private static JsonObject Operation(RouteEndpoint endpoint, JsonSchemaBuilder schemas)
    {
        var metadata = endpoint.Metadata;
        var operation = new JsonObject();
        if (metadata.GetMetadata<IEndpointNameMetadata>() is { } name)
        {
            operation["operationId"] = name.EndpointName;
        }

        if (metadata.GetMetadata<IEndpointSummaryMetadata>() is { } summary)
        {
            operation["summary"] = summary.Summary;
        }

        if (metadata.GetMetadata<RequiredPermission>() is { } permission)
        {
            operation["description"] = $"Needs the permission '{permission.Permission}'.";
        }

        var parameters = new JsonArray();
        foreach (var parameter in endpoint.RoutePattern.Parameters)
        {
            parameters.Add(new JsonObject
            {
                ["name"] = parameter.Name, ["in"] = "path", ["required"] = true, ["schema"] = new JsonObject { ["type"] = "string" },
            });
        }

        foreach (var query in QueryParameters(endpoint))
        {
            parameters.Add(new JsonObject
            {
                ["name"] = query.Name, ["in"] = "query", ["required"] = query.Required, ["schema"] = schemas.SchemaOf(query.Type),
            });
        }

        if (parameters.Count > 0)
        {
            operation["parameters"] = parameters;
        }

        if (metadata.GetMetadata<IAcceptsMetadata>() is { RequestType: { } requestType } accepts)
        {
            operation["requestBody"] = new JsonObject
            {
                ["required"] = !accepts.IsOptional,
                ["content"] = new JsonObject(accepts.ContentTypes.DefaultIfEmpty("application/json").Distinct().Select(mediaType =>
                    KeyValuePair.Create(mediaType, (JsonNode?)new JsonObject { ["schema"] = schemas.SchemaOf(requestType) }))),
            };
        }

        var secured = metadata.GetMetadata<IAuthorizeData>() is not null || metadata.GetMetadata<AuthorizationPolicy>() is not null;
        var responses = new SortedDictionary<int, JsonObject>();
        foreach (var produces in metadata.OfType<IProducesResponseTypeMetadata>())
        {
            if (!responses.ContainsKey(produces.StatusCode))
            {
                responses[produces.StatusCode] = Response(produces.StatusCode, produces.Type, produces.ContentTypes, schemas);
            }
        }

        if (secured)
        {
            // The authentication handler's answers (RFC 6750 §3): no token or a bad one, and a token without the scope.
            responses.TryAdd(StatusCodes.Status401Unauthorized, Response(StatusCodes.Status401Unauthorized, typeof(ProblemDetails), [], schemas));
            responses.TryAdd(StatusCodes.Status403Forbidden, Response(StatusCodes.Status403Forbidden, typeof(ProblemDetails), [], schemas));
            operation["security"] = new JsonArray(new JsonObject { [SecuritySchemeName] = new JsonArray(AdminApiScopes.Admin) });
        }
        else
        {
            operation["security"] = new JsonArray();
        }

        operation["responses"] = new JsonObject(responses.Select(r => KeyValuePair.Create(r.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), (JsonNode?)r.Value)));
        return operation;
    }

    private static JsonObject Response(int status, Type? type, IEnumerable<string> contentTypes, JsonSchemaBuilder schemas)
    {
        var response = new JsonObject { ["description"] = ReasonPhrases.GetReasonPhrase(status) };
        if (type is null || type == typeof(void))
        {
            return response;
        }

        var mediaTypes = typeof(ProblemDetails).IsAssignableFrom(type) ? ["application/problem+json"] : contentTypes.DefaultIfEmpty("application/json");
        response["content"] = new JsonObject(mediaTypes.Distinct().Select(mediaType =>
            KeyValuePair.Create(mediaType, (JsonNode?)new JsonObject { ["schema"] = schemas.SchemaOf(type) })));
        return response;
    }

    /// <summary>
    /// The handler's parameters that minimal APIs bind from the query string: the simple ones (strings,
    /// numbers, booleans) that are not route parameters. Services, the body and the request are none of these.
    /// </summary>
    private static IEnumerable<(string Name, Type Type, bool Required)> QueryParameters(RouteEndpoint endpoint)
    {
        if (endpoint.Metadata.GetMetadata<MethodInfo>() is not { } handler)
        {
            yield break;
        }

        var nullability = new NullabilityInfoContext();
        foreach (var parameter in handler.GetParameters())
        {
            var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
            if (parameter.Name is not { } name || endpoint.RoutePattern.GetParameter(name) is not null
                || !(type == typeof(string) || type == typeof(int) || type == typeof(long) || type == typeof(bool)))
            {
                continue;
            }

            // [Required] marks a parameter the handler itself refuses to go without (with a 400 problem):
            // it is declared nullable only so that the handler, not the binder, answers.
            var required = parameter.IsDefined(typeof(RequiredAttribute), inherit: false)
                || !(parameter.HasDefaultValue || Nullable.GetUnderlyingType(parameter.ParameterType) is not null
                    || (!parameter.ParameterType.IsValueType && nullability.Create(parameter).ReadState == NullabilityState.Nullable));
            yield return (name, type, required);
        }
    }

    /// <summary>"/admin/api/users/{userId:minlength(1)}" → "/admin/api/users/{userId}": OpenAPI path templates have no constraints.</summary>
    private static string OpenApiPath(string routePattern) =>
        "/" + RouteParameter().Replace(routePattern.TrimStart('/'), "{$1}");

    [GeneratedRegex(@"\{\**([A-Za-z0-9_]+)[^}]*\}")]
    private static partial Regex RouteParameter();
}
