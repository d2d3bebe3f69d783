namespace IdentityProvider;

/// <summary>
/// The one resource set of the hosted pages (<c>Resources/SharedResource.{culture}.resx</c>). Keys
/// are the English text itself, so a missing translation shows English rather than a key.
/// </summary>
public sealed class SharedResource;
