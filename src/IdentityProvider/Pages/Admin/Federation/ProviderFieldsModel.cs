namespace IdentityProvider.Pages.Admin.Federation;

/// <summary>What the shared provider fields render: the values, the problems by field, and whether the id is still editable.</summary>
/// <param name="HasStoredSecret">On edit: a secret is stored, so a blank secret field keeps it.</param>
public sealed record ProviderFieldsModel(UpstreamProviderForm Form, IReadOnlyList<FieldProblem> Problems, bool IsNew, bool HasStoredSecret)
{
    public IEnumerable<string> ProblemsOf(string field) => Problems.Where(p => p.Field == field).Select(p => p.Message);

    public FieldErrors ErrorsOf(string field) => new(field, [.. ProblemsOf(field)]);
}

/// <param name="Field">The input it is about, in the admin API's camelCase; "" for the form as a whole.</param>
public sealed record FieldProblem(string Field, string Message);

/// <summary>One input's problems, shown next to it (and named by its <c>aria-describedby</c>).</summary>
public sealed record FieldErrors(string Field, IReadOnlyList<string> Messages);
