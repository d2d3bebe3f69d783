using System.Data.Common;
using IdentityProvider.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Tests.Infrastructure;

/// <summary>
/// Describes a database schema as sorted lines (tables, columns with type / nullability /
/// default / identity, indexes, constraints) so two schemas can be compared with a readable diff.
/// EF's own bookkeeping tables are left out.
/// </summary>
public static class SchemaReader
{
    public static async Task<IReadOnlyList<string>> DescribeAsync(IdentityProviderDbContext db)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        try
        {
            var query = db.Database.IsNpgsql() ? PostgresQuery : SqliteQuery;
            var lines = new List<string>();
            await using var command = connection.CreateCommand();
            command.CommandText = query;
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                lines.Add(Describe(reader));
            }

            lines.Sort(StringComparer.Ordinal);
            return lines;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static string Describe(DbDataReader reader) =>
        string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i))));

    private const string SqliteQuery = """
        SELECT 'column', m.name, c.name, c.type, c."notnull", c.dflt_value, c.pk,
               CASE WHEN m.sql LIKE '%AUTOINCREMENT%' AND c.pk = 1 THEN 'autoincrement' ELSE '' END
        FROM sqlite_master m JOIN pragma_table_info(m.name) c
        WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '__EFMigrations%'
        UNION ALL
        SELECT 'index', m.name, i.name, i."unique", i.origin, group_concat(ii.name, ','), '', ''
        FROM sqlite_master m JOIN pragma_index_list(m.name) i JOIN pragma_index_info(i.name) ii
        WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '__EFMigrations%'
        GROUP BY m.name, i.name
        UNION ALL
        SELECT 'foreign key', m.name, f."table", f."from", f."to", f.on_delete, f.on_update, ''
        FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
        WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '__EFMigrations%'
        """;

    private const string PostgresQuery = """
        SELECT 'column', c.table_name, c.column_name, c.data_type, c.character_maximum_length::text, c.is_nullable,
               c.column_default, c.is_identity || ' ' || coalesce(c.identity_generation, '')
        FROM information_schema.columns c
        WHERE c.table_schema = 'public' AND c.table_name NOT LIKE '__EFMigrations%'
        UNION ALL
        SELECT 'index', i.tablename, i.indexname, i.indexdef, '', '', '', ''
        FROM pg_indexes i
        WHERE i.schemaname = 'public' AND i.tablename NOT LIKE '__EFMigrations%'
        UNION ALL
        SELECT 'constraint', t.relname, k.conname, pg_get_constraintdef(k.oid), '', '', '', ''
        FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = 'public' AND t.relname NOT LIKE '__EFMigrations%'
        UNION ALL
        SELECT 'sequence', s.sequence_name, s.data_type, '', '', '', '', ''
        FROM information_schema.sequences s
        WHERE s.sequence_schema = 'public'
        """;
}
