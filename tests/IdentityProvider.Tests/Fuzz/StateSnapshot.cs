using IdentityProvider.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Tests.Fuzz;

/// <summary>
/// Every row of every table the DbContext model maps, as text, so two moments can be compared row
/// by row. The tables come from the model, so a table added later is watched without being listed.
/// </summary>
public sealed class StateSnapshot
{
    /// <summary>
    /// Tables that legitimately change when a request is refused, and only those:
    /// the audit log records refused attempts by design; the data-protection key ring may be created
    /// the first time anything is protected (an antiforgery token, a cookie), which is not a
    /// security decision taken on the request's input.
    /// </summary>
    public static readonly IReadOnlySet<string> Unwatched = new HashSet<string>(StringComparer.Ordinal)
    {
        "AuditEvents", "DataProtectionKeys",
    };

    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> _rows;

    private StateSnapshot(IReadOnlyDictionary<string, IReadOnlyList<string>> rows) => _rows = rows;

    public IEnumerable<string> Tables => _rows.Keys;

    public static async Task<StateSnapshot> TakeAsync(IdentityProviderDbContext db)
    {
        var tables = db.Model.GetEntityTypes()
            .Select(type => type.GetTableName())
            .OfType<string>()
            .Where(table => !Unwatched.Contains(table))
            .Distinct()
            .Order(StringComparer.Ordinal);
        var rows = new Dictionary<string, IReadOnlyList<string>>();
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        try
        {
            foreach (var table in tables)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = $"SELECT * FROM \"{table}\"";
                await using var reader = await command.ExecuteReaderAsync();
                var lines = new List<string>();
                while (await reader.ReadAsync())
                {
                    lines.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount)
                        .Select(i => reader.GetName(i) + "=" + (reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i))))));
                }

                lines.Sort(StringComparer.Ordinal);
                rows[table] = lines;
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        return new StateSnapshot(rows);
    }

    /// <summary>What differs from <paramref name="before"/>: one line per added or removed row, empty when nothing changed.</summary>
    public IReadOnlyList<string> DifferencesFrom(StateSnapshot before)
    {
        var differences = new List<string>();
        foreach (var (table, rows) in _rows)
        {
            var earlier = before._rows.GetValueOrDefault(table) ?? [];
            differences.AddRange(earlier.Except(rows).Select(row => $"{table} - {Shorten(row)}"));
            differences.AddRange(rows.Except(earlier).Select(row => $"{table} + {Shorten(row)}"));
        }

        return differences;
    }

    private static string Shorten(string row) => row.Length <= 400 ? row : row[..400] + "…";
}
