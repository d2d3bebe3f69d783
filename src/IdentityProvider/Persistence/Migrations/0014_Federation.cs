using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityProvider.Persistence.Migrations;

/// <summary>
/// Federation with upstream OpenID Connect providers: the providers operators add (client secret
/// encrypted by data protection) and the sign-ins waiting for an upstream's answer (state as SHA-256).
/// </summary>
[DbContext(typeof(IdentityProviderDbContext))]
[Migration("0014_Federation")]
public sealed class Federation : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ProviderColumnTypes.Timestamp(migrationBuilder);

        migrationBuilder.CreateTable(
            name: "UpstreamProviders",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 40, nullable: false),
                DisplayName = table.Column<string>(maxLength: 200, nullable: false),
                Issuer = table.Column<string>(maxLength: 500, nullable: false),
                ClientId = table.Column<string>(maxLength: 200, nullable: false),
                ProtectedClientSecret = table.Column<string>(maxLength: 4000, nullable: true),
                ClientAuthentication = table.Column<string>(maxLength: 40, nullable: false),
                Scopes = table.Column<string>(maxLength: 1000, nullable: false),
                SubjectClaim = table.Column<string>(maxLength: 100, nullable: false),
                EmailClaim = table.Column<string>(maxLength: 100, nullable: false),
                NameClaim = table.Column<string>(maxLength: 100, nullable: false),
                GroupsClaim = table.Column<string>(maxLength: 100, nullable: true),
                MfaRule = table.Column<string>(maxLength: 40, nullable: false),
                ProvisionUsers = table.Column<bool>(nullable: false),
                LinkByEmail = table.Column<bool>(nullable: false),
                Domains = table.Column<string>(maxLength: 2000, nullable: false),
                Enabled = table.Column<bool>(nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                UpdatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_UpstreamProviders", x => x.Id));

        migrationBuilder.CreateTable(
            name: "FederationStates",
            columns: table => new
            {
                StateHash = table.Column<string>(maxLength: 64, nullable: false),
                ProviderId = table.Column<string>(maxLength: 40, nullable: false),
                Nonce = table.Column<string>(maxLength: 100, nullable: false),
                ProtectedCodeVerifier = table.Column<string>(maxLength: 1000, nullable: false),
                RequestId = table.Column<string>(maxLength: 200, nullable: true),
                BrowserBindingHash = table.Column<string>(maxLength: 64, nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                ExpiresAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_FederationStates", x => x.StateHash));
        migrationBuilder.CreateIndex("IX_FederationStates_ExpiresAt", "FederationStates", "ExpiresAt");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("FederationStates");
        migrationBuilder.DropTable("UpstreamProviders");
    }
}
