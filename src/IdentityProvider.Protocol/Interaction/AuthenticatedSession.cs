namespace IdentityProvider.Protocol.Interaction;

/// <summary>
/// What the user proved on the sign-in pages, handed to the protocol by the page that finished
/// the sign-in. The tokens say exactly this and nothing more.
/// </summary>
/// <param name="Amr">RFC 8176 authentication method references, e.g. <c>pwd</c>, <c>otp</c>, <c>mfa</c>.</param>
/// <param name="Acr">The authentication context class met, if the policy names one.</param>
public sealed record AuthenticationResult(string Subject, DateTimeOffset AuthTime, IReadOnlyList<string> Amr, string? Acr);

/// <summary>A server-side sign-in session, as the current request's cookie identifies it.</summary>
public sealed record AuthenticatedSession(string SessionId, string Subject, DateTimeOffset AuthTime, IReadOnlyList<string> Amr, string? Acr);
