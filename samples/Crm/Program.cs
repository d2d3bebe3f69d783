using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Samples.Crm.Data;
using Samples.Crm.OpenIdConnect;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddRazorPages(pages => pages.Conventions.AuthorizeFolder("/Admin", MultiFactorRequirement.Policy));
builder.Services.AddRelyingParty(builder.Configuration);
builder.Services.TryAddSingleton(TimeProvider.System);
builder.Services.AddHttpClient("Api", api => api.BaseAddress = new Uri(builder.Configuration["Api:BaseUrl"] ?? "http://localhost:5200"));
// The CRM's own SQLite file, next to the app unless configured elsewhere.
var databasePath = Path.Combine(builder.Environment.ContentRootPath, builder.Configuration["Crm:DatabasePath"] ?? "crm.db");
builder.Services.AddDbContext<CrmDbContext>(db => db.UseSqlite($"Data Source={databasePath}"));

var app = builder.Build();
using (var scope = app.Services.CreateScope())
{
    // A sample keeps it simple: create and seed the schema on first run.
    scope.ServiceProvider.GetRequiredService<CrmDbContext>().Database.EnsureCreated();
}

app.UseStaticFiles();
app.UseAuthentication();
app.UseAuthorization();
app.MapRazorPages();
app.Run();
