namespace IdentityProvider.Persistence;

/// <summary>Bound from the <c>Database</c> configuration section.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    /// <summary><see cref="DatabaseProvider.Sqlite"/> (the embedded default) or <see cref="DatabaseProvider.Postgres"/>.</summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>
    /// Required for PostgreSQL. For SQLite, optional: by default a file named
    /// <c>identityprovider.db</c> in <see cref="DataDirectory"/>.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Where the SQLite file lives; created on first run. Relative paths are from the working directory.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Apply pending migrations when the server starts. Turn off when a separate <c>migrate</c> step runs them.</summary>
    public bool MigrateOnStartup { get; set; } = true;

    /// <summary>How long start-up keeps retrying a database that is not reachable yet (e.g. still booting).</summary>
    public TimeSpan StartupConnectTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The <c>Retry-After</c> (RFC 9110 §10.2.3) of the 503 a request gets while the database is
    /// unreachable: about how long a database restart or failover takes.
    /// </summary>
    public TimeSpan OutageRetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    public string ResolveConnectionString()
    {
        if (!string.IsNullOrWhiteSpace(ConnectionString))
        {
            return ConnectionString;
        }

        if (Provider == DatabaseProvider.Postgres)
        {
            throw new InvalidOperationException(
                "Database:ConnectionString is required when Database:Provider is Postgres (e.g. IDP__Database__ConnectionString).");
        }

        var directory = Path.GetFullPath(DataDirectory);
        Directory.CreateDirectory(directory);
        return $"Data Source={Path.Combine(directory, "identityprovider.db")}";
    }
}

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}
