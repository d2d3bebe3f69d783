namespace IdentityProvider.Protocol.Primitives;

/// <summary>
/// The one error type of the protocol layer: what the client is told. The detailed reason goes to
/// the log, never into <see cref="Description"/>. Client mistakes are values of this type, not exceptions.
/// </summary>
public sealed record ProtocolError(string Error, string Description, int StatusCode = 400)
{
    public override string ToString() => $"{Error}: {Description}";
}
