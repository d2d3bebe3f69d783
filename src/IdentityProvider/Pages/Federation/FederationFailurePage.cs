using IdentityProvider.Federation.Upstream;
using IdentityProvider.Protocol.Interaction;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentityProvider.Pages.Federation;

/// <summary>What the federation failure partial shows: the failure, and where "Back to sign-in" leads.</summary>
public sealed record FederationFailurePage(FederationFailure Failure, string BackToSignIn)
{
    public static FederationFailurePage For(FederationFailure failure, InteractionOptions interaction) =>
        new(failure, failure.RequestId is { Length: > 0 } request
            ? QueryHelpers.AddQueryString(interaction.LoginPath, "request", request)
            : interaction.LoginPath);
}
