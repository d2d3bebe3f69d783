using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Samples.Crm.OpenIdConnect;

namespace Samples.Crm.Pages;

/// <summary>POST only, with an antiforgery token, so no other site can sign the user out.</summary>
public sealed class SignOutModel : PageModel
{
    public IActionResult OnGet() => RedirectToPage("/Index");

    public IActionResult OnPost() =>
        SignOut(new AuthenticationProperties { RedirectUri = "/Goodbye" }, RelyingPartyDefaults.Scheme);
}
