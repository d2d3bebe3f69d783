using Microsoft.Extensions.Options;

namespace IdentityProvider.Federation.Providers;

/// <summary>Stops start-up on a <c>Federation</c> section that could not work, naming each entry and problem.</summary>
internal sealed class FederationOptionsValidator : IValidateOptions<FederationOptions>
{
    public ValidateOptionsResult Validate(string? name, FederationOptions options)
    {
        var failures = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < options.Providers.Count; index++)
        {
            var entry = options.Providers[index];
            var problems = new List<string>();
            var provider = ConfiguredProviderReader.Read(entry, problems);
            problems.AddRange(UpstreamProviderRules.Check(provider, entry.ClientSecret));
            if (!string.IsNullOrEmpty(entry.Id) && !seen.Add(entry.Id))
            {
                problems.Add("Id is used by an earlier entry.");
            }

            failures.AddRange(problems.Select(problem => $"Federation:Providers:{index} ('{entry.Id}'): {problem}"));
        }

        if (options.MetadataLifetime <= TimeSpan.Zero || options.JwksRefreshInterval < TimeSpan.Zero || options.HttpTimeout <= TimeSpan.Zero
            || options.StateLifetime <= TimeSpan.Zero || options.ClockSkew < TimeSpan.Zero || options.MaxIdTokenAge <= TimeSpan.Zero)
        {
            failures.Add("Federation: MetadataLifetime, HttpTimeout, StateLifetime and MaxIdTokenAge must be positive; JwksRefreshInterval and ClockSkew not negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
