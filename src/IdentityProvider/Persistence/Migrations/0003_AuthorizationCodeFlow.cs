using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityProvider.Persistence.Migrations;

/// <summary>
/// The authorization code flow: requests waiting for the user, codes and refresh tokens (hashes
/// only, single use by conditional update), grants, remembered consent, server-side sign-in
/// sessions, and the administrator's switch that disables a user.
/// </summary>
[DbContext(typeof(IdentityProviderDbContext))]
[Migration("0003_AuthorizationCodeFlow")]
public sealed class AuthorizationCodeFlow : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ProviderColumnTypes.Timestamp(migrationBuilder);

        migrationBuilder.AddColumn<DateTimeOffset>("DisabledAt", "AspNetUsers", type: timestamp, nullable: true);

        migrationBuilder.CreateTable(
            name: "PendingAuthorizations",
            columns: table => new
            {
                IdHash = table.Column<string>(maxLength: 64, nullable: false),
                Parameters = table.Column<string>(nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                ExpiresAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                AuthenticatedSessionId = table.Column<string>(maxLength: 64, nullable: true),
                Consent = table.Column<bool>(nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_PendingAuthorizations", x => x.IdHash));
        migrationBuilder.CreateIndex("IX_PendingAuthorizations_ExpiresAt", "PendingAuthorizations", "ExpiresAt");

        migrationBuilder.CreateTable(
            name: "AuthorizationCodes",
            columns: table => new
            {
                CodeHash = table.Column<string>(maxLength: 64, nullable: false),
                ClientId = table.Column<string>(maxLength: 100, nullable: false),
                GrantId = table.Column<string>(maxLength: 64, nullable: false),
                Subject = table.Column<string>(maxLength: 200, nullable: false),
                SessionId = table.Column<string>(maxLength: 64, nullable: false),
                RedirectUri = table.Column<string>(maxLength: 2000, nullable: false),
                Scopes = table.Column<string>(maxLength: 1000, nullable: false),
                Nonce = table.Column<string>(maxLength: 500, nullable: true),
                CodeChallenge = table.Column<string>(maxLength: 128, nullable: true),
                AuthTime = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                Amr = table.Column<string>(maxLength: 200, nullable: false),
                Acr = table.Column<string>(maxLength: 200, nullable: true),
                ExpiresAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                RedeemedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_AuthorizationCodes", x => x.CodeHash));
        migrationBuilder.CreateIndex("IX_AuthorizationCodes_ExpiresAt", "AuthorizationCodes", "ExpiresAt");

        migrationBuilder.CreateTable(
            name: "Grants",
            columns: table => new
            {
                GrantId = table.Column<string>(maxLength: 64, nullable: false),
                ClientId = table.Column<string>(maxLength: 100, nullable: false),
                Subject = table.Column<string>(maxLength: 200, nullable: false),
                SessionId = table.Column<string>(maxLength: 64, nullable: true),
                Scopes = table.Column<string>(maxLength: 1000, nullable: false),
                AuthTime = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                Amr = table.Column<string>(maxLength: 200, nullable: false),
                Acr = table.Column<string>(maxLength: 200, nullable: true),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                ExpiresAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                RevokedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_Grants", x => x.GrantId));
        migrationBuilder.CreateIndex("IX_Grants_Subject", "Grants", "Subject");

        migrationBuilder.CreateTable(
            name: "RefreshTokens",
            columns: table => new
            {
                TokenHash = table.Column<string>(maxLength: 64, nullable: false),
                GrantId = table.Column<string>(maxLength: 64, nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                ExpiresAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                ConsumedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_RefreshTokens", x => x.TokenHash);
                table.ForeignKey("FK_RefreshTokens_Grants_GrantId", x => x.GrantId, "Grants", "GrantId", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex("IX_RefreshTokens_GrantId", "RefreshTokens", "GrantId");

        migrationBuilder.CreateTable(
            name: "Consents",
            columns: table => new
            {
                Subject = table.Column<string>(maxLength: 200, nullable: false),
                ClientId = table.Column<string>(maxLength: 100, nullable: false),
                Scopes = table.Column<string>(maxLength: 1000, nullable: false),
                GrantedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_Consents", x => new { x.Subject, x.ClientId }));

        migrationBuilder.CreateTable(
            name: "UserSessions",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 64, nullable: false),
                UserId = table.Column<string>(maxLength: 200, nullable: false),
                Ticket = table.Column<byte[]>(nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                ExpiresAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_UserSessions", x => x.Id));
        migrationBuilder.CreateIndex("IX_UserSessions_UserId", "UserSessions", "UserId");
        migrationBuilder.CreateIndex("IX_UserSessions_ExpiresAt", "UserSessions", "ExpiresAt");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("UserSessions");
        migrationBuilder.DropTable("Consents");
        migrationBuilder.DropTable("RefreshTokens");
        migrationBuilder.DropTable("Grants");
        migrationBuilder.DropTable("AuthorizationCodes");
        migrationBuilder.DropTable("PendingAuthorizations");
        migrationBuilder.DropColumn("DisabledAt", "AspNetUsers");
    }
}
