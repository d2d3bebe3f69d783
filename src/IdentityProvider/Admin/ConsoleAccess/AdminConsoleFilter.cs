using System.Reflection;
using IdentityProvider.Admin.Permissions;
using IdentityProvider.Infrastructure.Web;
using IdentityProvider.Policy;
using IdentityProvider.Protocol.Interaction;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace IdentityProvider.Admin.ConsoleAccess;

/// <summary>
/// The gate in front of every page under <c>/admin</c>: a signed-in user, whose session proved two
/// factors (administrators use MFA whatever the users' policy says), holding the permissions the
/// page and the handler name. Anything less gets a 403 page that says what is missing, and the
/// handler never runs, so a refused post changes nothing.
/// </summary>
public sealed class AdminConsoleFilter(IAuthenticationSessions sessions, AdminPermissionResolver permissions) : IAsyncPageFilter
{
    public const string PermissionsItem = "admin.permissions";
    public const string DeniedView = "/Pages/Shared/_AdminDenied.cshtml";

    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var http = context.HttpContext;
        http.Response.Headers.CacheControl = "no-store";
        if (await sessions.GetCurrentAsync(http) is not { } session)
        {
            context.Result = new SeeOtherResult("/account/login");
            return;
        }

        var held = await permissions.ResolveForUserAsync(session.Subject, http.RequestAborted);
        var needed = context.HandlerInstance.GetType().GetCustomAttributes<AdminPermissionAttribute>()
            .Concat(context.HandlerMethod?.MethodInfo.GetCustomAttributes<AdminPermissionAttribute>() ?? [])
            .Select(a => a.Permission)
            .ToList();
        if (held.Count == 0 || needed.Any(p => !held.Contains(p)))
        {
            context.Result = Denied(context, AdminDenial.MissingPermission);
            return;
        }

        if (AssuranceLevels.FromAmr(session.Amr) < AssuranceLevel.Mfa)
        {
            context.Result = Denied(context, AdminDenial.SecondFactorNeeded);
            return;
        }

        http.Items[PermissionsItem] = held;
        await next();
    }

    private static ViewResult Denied(PageHandlerExecutingContext context, AdminDenial denial) => new()
    {
        ViewName = DeniedView,
        StatusCode = StatusCodes.Status403Forbidden,
        ViewData = new ViewDataDictionary<AdminDenial>(new Microsoft.AspNetCore.Mvc.ModelBinding.EmptyModelMetadataProvider(), context.ModelState) { Model = denial },
    };
}

public enum AdminDenial
{
    MissingPermission,

    /// <summary>The session proved one factor only; the administrator confirms with a second one.</summary>
    SecondFactorNeeded,
}

/// <summary>What the signed-in administrator may do, for showing only the sections they can use.</summary>
public static class AdminConsoleHttpContextExtensions
{
    public static bool AdminMay(this HttpContext http, string permission) =>
        http.Items[AdminConsoleFilter.PermissionsItem] is IReadOnlySet<string> held && held.Contains(permission);
}
