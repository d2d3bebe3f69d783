using System.Net.Http.Headers;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Samples.Crm.OpenIdConnect;

namespace Samples.Crm.Pages;

/// <summary>Calls the API as the signed-in user, with the access token kept in the session cookie.</summary>
public sealed class DealsModel(IHttpClientFactory httpClients) : PageModel
{
    public IReadOnlyList<DealRow> Deals { get; private set; } = [];

    public string? Problem { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var accessToken = await HttpContext.GetTokenAsync(SessionTokens.AccessToken);
        using var request = new HttpRequestMessage(HttpMethod.Get, "deals");
        // RFC 6750 §2.1: the bearer token goes in the Authorization header, never the URL.
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        try
        {
            using var response = await httpClients.CreateClient("Api").SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                Problem = $"The API answered {(int)response.StatusCode}.";
                return;
            }

            Deals = await response.Content.ReadFromJsonAsync<List<DealRow>>(cancellationToken) ?? [];
        }
        catch (HttpRequestException)
        {
            Problem = "The API could not be reached.";
        }
    }

    public sealed record DealRow(int Id, string Account, string Title, decimal Amount, string Stage);
}
