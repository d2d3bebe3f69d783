using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace IdentityProvider.Persistence.Migrations;

/// <summary>
/// The protocol core: token-signing keys (shared by every node), registered clients with hashed
/// secrets, and single-use identifiers (client-assertion jti) remembered until they expire.
/// </summary>
[DbContext(typeof(IdentityProviderDbContext))]
[Migration("0002_ProtocolCore")]
public sealed class ProtocolCore : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ProviderColumnTypes.Timestamp(migrationBuilder);

        migrationBuilder.CreateTable(
            name: "SigningKeys",
            columns: table => new
            {
                KeyId = table.Column<string>(maxLength: 64, nullable: false),
                Algorithm = table.Column<string>(maxLength: 16, nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                ActivatesAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                RetiresAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                RevokedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
                PublicJwk = table.Column<string>(nullable: false),
                ProtectedPrivateKey = table.Column<string>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_SigningKeys", x => x.KeyId));

        migrationBuilder.CreateTable(
            name: "Clients",
            columns: table => new
            {
                ClientId = table.Column<string>(maxLength: 100, nullable: false),
                DisplayName = table.Column<string>(maxLength: 200, nullable: false),
                ClientType = table.Column<string>(maxLength: 20, nullable: false),
                TokenEndpointAuthMethod = table.Column<string>(maxLength: 40, nullable: false),
                RedirectUris = table.Column<string>(nullable: false),
                PostLogoutRedirectUris = table.Column<string>(nullable: false),
                AllowedGrantTypes = table.Column<string>(maxLength: 200, nullable: false),
                AllowedScopes = table.Column<string>(maxLength: 2000, nullable: false),
                RequirePkce = table.Column<bool>(nullable: false),
                RequireConsent = table.Column<bool>(nullable: false),
                Jwks = table.Column<string>(nullable: true),
                Enabled = table.Column<bool>(nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                UpdatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_Clients", x => x.ClientId));

        migrationBuilder.CreateTable(
            name: "ClientSecrets",
            columns: table => new
            {
                Id = table.Column<long>(nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                ClientId = table.Column<string>(maxLength: 100, nullable: false),
                SecretHash = table.Column<string>(maxLength: 64, nullable: false),
                Description = table.Column<string>(maxLength: 200, nullable: true),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                ExpiresAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ClientSecrets", x => x.Id);
                table.ForeignKey("FK_ClientSecrets_Clients_ClientId", x => x.ClientId, "Clients", "ClientId", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateIndex("IX_ClientSecrets_ClientId", "ClientSecrets", "ClientId");

        migrationBuilder.CreateTable(
            name: "UsedIdentifiers",
            columns: table => new
            {
                Key = table.Column<string>(maxLength: 300, nullable: false),
                ExpiresAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_UsedIdentifiers", x => x.Key));

        migrationBuilder.CreateIndex("IX_UsedIdentifiers_ExpiresAt", "UsedIdentifiers", "ExpiresAt");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("UsedIdentifiers");
        migrationBuilder.DropTable("ClientSecrets");
        migrationBuilder.DropTable("Clients");
        migrationBuilder.DropTable("SigningKeys");
    }
}
