using IdentityProvider.Protocol.Primitives;

namespace IdentityProvider.Protocol.ClientAuthentication;

/// <summary>A client that proved its identity (or, for a public client, named itself) on this request.</summary>
public sealed record AuthenticatedClient(ClientDefinition Client, string Method);
