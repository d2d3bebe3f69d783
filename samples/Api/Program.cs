using Samples.Api;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddAccessTokenValidation(builder.Configuration);

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
app.MapDealsApi();
app.Run();
