using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityProvider.Persistence.Migrations;

/// <summary>
/// The few column types the two providers spell differently. Everything else is left to the
/// provider's own mapping of the CLR type, exactly as the model does.
/// </summary>
internal static class ProviderColumnTypes
{
    /// <summary>
    /// DateTimeOffset: a sortable integer on SQLite (see the context's conventions), the provider
    /// default (timestamp with time zone) on PostgreSQL.
    /// </summary>
    public static string? Timestamp(MigrationBuilder migrationBuilder) => migrationBuilder.IsSqlite() ? "INTEGER" : null;

    /// <summary>Owned types mapped with ToJson(): jsonb on PostgreSQL, text on SQLite.</summary>
    public static string Json(MigrationBuilder migrationBuilder) => migrationBuilder.IsNpgsql() ? "jsonb" : "TEXT";
}
