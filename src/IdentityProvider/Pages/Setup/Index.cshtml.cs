using System.ComponentModel.DataAnnotations;
using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Infrastructure.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityProvider.Pages.Setup;

public sealed class IndexModel(SetupLinkRedeemer redeemer) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Token { get; set; }

    [BindProperty]
    public SetupInput Input { get; set; } = new();

    public string? Problem { get; private set; }

    public string? BoundEmail { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var check = await redeemer.CheckAsync(Token, cancellationToken);
        Problem = Describe(check.State);
        BoundEmail = check.BoundEmail;
        Input.Email = check.BoundEmail ?? "";
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var check = await redeemer.CheckAsync(Token, cancellationToken);
        BoundEmail = check.BoundEmail;
        if (check.State != SetupLinkState.Valid)
        {
            Problem = Describe(check.State);
            return Page();
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var result = await redeemer.CreateAdministratorAsync(Token, Input.Email, Input.DisplayName, Input.Password, cancellationToken);
        if (result.State != SetupLinkState.Valid)
        {
            Problem = Describe(result.State);
            return Page();
        }

        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                ModelState.AddModelError(string.Empty, error);
            }

            return Page();
        }

        return new SeeOtherResult(Url.Page("/Setup/Done")!);
    }

    private static string? Describe(SetupLinkState state) => state switch
    {
        SetupLinkState.Valid => null,
        SetupLinkState.Used => "This setup link has already been used.",
        SetupLinkState.Expired => "This setup link has expired. Run 'IdentityProvider admin create' or restart the server to get a new one.",
        SetupLinkState.AdministratorExists => "An administrator already exists, so this setup link can no longer be used.",
        _ => "This setup link is not valid. Check that you copied the whole link.",
    };

    public sealed class SetupInput
    {
        [Required]
        [EmailAddress]
        [StringLength(256)]
        public string Email { get; set; } = "";

        [StringLength(200)]
        public string? DisplayName { get; set; }

        [Required]
        [StringLength(256)]
        [DataType(DataType.Password)]
        public string Password { get; set; } = "";

        [Required]
        [Compare(nameof(Password), ErrorMessage = "The two passwords do not match.")]
        [DataType(DataType.Password)]
        public string ConfirmPassword { get; set; } = "";
    }
}
