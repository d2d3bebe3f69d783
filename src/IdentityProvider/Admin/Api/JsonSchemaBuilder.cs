using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IdentityProvider.Admin.Api;

/// <summary>
/// JSON Schema (draft 2020-12, as OpenAPI 3.1 uses it) for the admin API's response types, read off
/// the CLR types with the same camelCase naming the endpoints serialise with. Object types go to
/// <c>components/schemas</c> once and are referenced from everywhere else. Covers what the admin API
/// returns (records of strings, numbers, booleans, dates, lists and nested records); nothing more.
/// </summary>
public sealed class JsonSchemaBuilder
{
    private readonly JsonObject _components = [];
    private readonly NullabilityInfoContext _nullability = new();

    public JsonObject Components => _components;

    public JsonObject SchemaOf(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null)
        {
            return OrNull(SchemaOf(underlying));
        }

        if (type == typeof(string))
        {
            return new JsonObject { ["type"] = "string" };
        }

        if (type == typeof(bool))
        {
            return new JsonObject { ["type"] = "boolean" };
        }

        if (type == typeof(int) || type == typeof(long))
        {
            return new JsonObject { ["type"] = "integer" };
        }

        if (type == typeof(double) || type == typeof(decimal))
        {
            return new JsonObject { ["type"] = "number" };
        }

        if (type == typeof(DateTimeOffset) || type == typeof(DateTime))
        {
            return new JsonObject { ["type"] = "string", ["format"] = "date-time" };
        }

        if (typeof(IDictionary).IsAssignableFrom(type) || IsGenericDictionary(type))
        {
            return new JsonObject { ["type"] = "object" };
        }

        if (ElementTypeOf(type) is { } element)
        {
            return new JsonObject { ["type"] = "array", ["items"] = SchemaOf(element) };
        }

        return ReferenceTo(type);
    }

    private JsonObject ReferenceTo(Type type)
    {
        var name = type.Name;
        if (!_components.ContainsKey(name))
        {
            // Placeholder first, so a type that refers to itself does not recurse forever.
            _components[name] = new JsonObject();
            var properties = new JsonObject();
            var required = new JsonArray();
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
            {
                if (IsGenericDictionary(property.PropertyType) && property.Name == "Extensions")
                {
                    continue; // ProblemDetails' extension members are written inline, not as a property.
                }

                var propertyName = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
                var schema = SchemaOf(property.PropertyType);
                var nullable = !property.PropertyType.IsValueType && _nullability.Create(property).ReadState == NullabilityState.Nullable;
                properties[propertyName] = nullable ? OrNull(schema) : schema;
                if (!nullable && Nullable.GetUnderlyingType(property.PropertyType) is null)
                {
                    required.Add(propertyName);
                }
            }

            var component = new JsonObject { ["type"] = "object", ["properties"] = properties };
            if (required.Count > 0)
            {
                component["required"] = required;
            }

            _components[name] = component;
        }

        return new JsonObject { ["$ref"] = "#/components/schemas/" + name };
    }

    private static JsonObject OrNull(JsonObject schema) =>
        schema["type"] is JsonValue type
            ? new JsonObject(schema.Select(p => KeyValuePair.Create(p.Key, p.Key == "type" ? new JsonArray(type.GetValue<string>(), "null") : p.Value?.DeepClone())))
            : new JsonObject { ["oneOf"] = new JsonArray(schema, new JsonObject { ["type"] = "null" }) };

    private static bool IsGenericDictionary(Type type) =>
        type.IsGenericType && type.GetInterfaces().Append(type).Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));

    private static Type? ElementTypeOf(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
}
