using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace IdentityProvider.Protocol.Primitives;

/// <summary>
/// The parameters of one protocol request, checked for the rules every endpoint shares before
/// any endpoint-specific validation sees them.
/// </summary>
public sealed class ProtocolRequest
{
    private readonly IReadOnlyDictionary<string, string> _values;

    private ProtocolRequest(IReadOnlyDictionary<string, string> values) => _values = values;

    public string? this[string name] => _values.GetValueOrDefault(name);

    public IEnumerable<string> Names => _values.Keys;

    /// <summary>The parameters as received, for keeping a request while the user interacts.</summary>
    public IReadOnlyDictionary<string, string> Values => _values;

    /// <summary>A request kept server side earlier; it passed the shared checks when it arrived.</summary>
    public static ProtocolRequest FromValues(IReadOnlyDictionary<string, string> values) =>
        new(new Dictionary<string, string>(values, StringComparer.Ordinal));

    public static ProtocolResult<ProtocolRequest> FromQuery(IQueryCollection query, ProtocolLimitsOptions limits) => Parse(query, limits);

    public static ProtocolResult<ProtocolRequest> FromForm(IFormCollection form, ProtocolLimitsOptions limits) => Parse(form, limits);

    public static ProtocolResult<ProtocolRequest> Parse(IEnumerable<KeyValuePair<string, StringValues>> parameters, ProtocolLimitsOptions limits)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var count = 0;
        foreach (var (name, raw) in parameters)
        {
            if (++count > limits.MaxParameterCount)
            {
                return ProtocolErrors.TooManyParameters();
            }

            // RFC 6749 §3.1: parameters sent without a value are treated as if omitted.
            var present = raw.Where(v => !string.IsNullOrEmpty(v)).Select(v => v!).ToList();
            if (present.Count == 0)
            {
                continue;
            }

            // RFC 6749 §3.1 and §3.2: request parameters MUST NOT be included more than once.
            if (present.Count > 1)
            {
                return ProtocolErrors.DuplicateParameter(Shorten(name));
            }

            if (present[0].Length > limits.MaxLengthOf(name))
            {
                return ProtocolErrors.ParameterTooLong(Shorten(name));
            }

            values[name] = present[0];
        }

        return ProtocolResult<ProtocolRequest>.Success(new ProtocolRequest(values));
    }

    // A parameter name is echoed in an error description; never echo an unbounded one.
    private static string Shorten(string name) => name.Length <= 40 ? name : name[..40];
}
