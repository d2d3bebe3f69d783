using System.Diagnostics;

namespace IdentityProvider.Tests.Infrastructure;

/// <summary>Runs the built identity provider as an operator would from a shell, and collects its output.</summary>
public static class IdentityProviderProcess
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError);

    public static async Task<Result> RunAsync(TestDatabase database, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "IdentityProvider.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["IDP__Issuer"] = IdentityProviderFactory.Issuer;
        start.Environment["IDP__Database__Provider"] = database.Provider.ToString();
        start.Environment["IDP__Database__ConnectionString"] = database.ConnectionString;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
