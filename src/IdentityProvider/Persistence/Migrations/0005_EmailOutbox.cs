using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityProvider.Persistence.Migrations;

/// <summary>
/// The email outbox: every message is written here first and sent by a background dispatcher,
/// so nothing is lost while the SMTP server is down. Touches no other table, so it does not
/// depend on 0004.
/// </summary>
[DbContext(typeof(IdentityProviderDbContext))]
[Migration("0005_EmailOutbox")]
public sealed class EmailOutbox : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ProviderColumnTypes.Timestamp(migrationBuilder);

        migrationBuilder.CreateTable(
            name: "EmailOutbox",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                To = table.Column<string>(maxLength: 320, nullable: false),
                Subject = table.Column<string>(maxLength: 1000, nullable: false),
                TextBody = table.Column<string>(nullable: false),
                HtmlBody = table.Column<string>(nullable: true),
                Status = table.Column<string>(maxLength: 16, nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                NextAttemptAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                Attempts = table.Column<int>(nullable: false),
                LastError = table.Column<string>(maxLength: 1000, nullable: true),
                ClaimedBy = table.Column<string>(maxLength: 100, nullable: true),
                ClaimedUntil = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
                SentAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_EmailOutbox", x => x.Id));
        migrationBuilder.CreateIndex("IX_EmailOutbox_Status_NextAttemptAt", "EmailOutbox", ["Status", "NextAttemptAt"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("EmailOutbox");
    }
}
