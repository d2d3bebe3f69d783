namespace IdentityProvider.Protocol.Primitives;

/// <summary>
/// The one error type of the protocol layer: what the client is told. The detailed reason goes to
/// the log, never into <see cref="Description"/>. Client mistakes are values of this type, not exceptions.
/// <see cref="RetryAfter"/> is set on a refusal to go on for now (RFC 9110 §10.2.3).
/// </summary>
public sealed record ProtocolError(string Error, string Description, int StatusCode = 400, TimeSpan? RetryAfter = null)
{
    public override string ToString() => $"{Error}: {Description}";
}
