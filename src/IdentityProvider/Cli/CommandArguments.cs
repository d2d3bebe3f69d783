namespace IdentityProvider.Cli;

/// <summary>The words after a command: a verb, then <c>--name value</c> pairs (repeatable) and <c>--flag</c>s.</summary>
internal sealed class CommandArguments(string? verb, IReadOnlyList<string> words)
{
    public string? Verb { get; } = verb;

    public string? Single(string name) => All(name).LastOrDefault();

    public string Required(string name) =>
        Single(name) ?? throw new CommandLineException($"{name} is required.");

    public List<string> All(string name)
    {
        var values = new List<string>();
        for (var i = 0; i < words.Count - 1; i++)
        {
            if (words[i] == name && !words[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                values.Add(words[i + 1]);
            }
        }

        return values;
    }

    public bool Flag(string name) => words.Contains(name);
}

/// <summary>A mistake in how a command was typed; reported with the usage text, never as a stack trace.</summary>
internal sealed class CommandLineException(string message) : Exception(message);
