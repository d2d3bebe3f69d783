using IdentityProvider.Protocol.Primitives;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace IdentityProvider.Protocol.Endpoints;

/// <summary>Reads a form-encoded protocol request body, for every endpoint that accepts POST.</summary>
public static class ProtocolFormReader
{
    /// <summary>
    /// RFC 6749 §3.2: application/x-www-form-urlencoded. The form reader's own limits are set to
    /// the protocol's, so an oversized body is refused before it is buffered.
    /// </summary>
    public static async Task<ProtocolResult<ProtocolRequest>> ReadAsync(HttpContext http, ProtocolLimitsOptions limits)
    {
        if (http.Request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) != true)
        {
            return ProtocolErrors.InvalidRequest("The body must be application/x-www-form-urlencoded.");
        }

        try
        {
            var form = await http.Request.ReadFormAsync(new FormOptions
            {
                ValueCountLimit = limits.MaxParameterCount,
                ValueLengthLimit = limits.MaxLengths.Values.Append(limits.DefaultMaxLength).Max(),
                KeyLengthLimit = 200,
            }, http.RequestAborted);
            return ProtocolRequest.FromForm(form, limits);
        }
        catch (InvalidDataException)
        {
            return ProtocolErrors.InvalidRequest("The request body is malformed or too large.");
        }
    }
}
