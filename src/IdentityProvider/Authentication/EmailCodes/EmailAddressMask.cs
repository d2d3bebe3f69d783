namespace IdentityProvider.Authentication.EmailCodes;

/// <summary>
/// An address as the sign-in page may show it before the second factor: enough for the owner to
/// recognise (<c>a•••@example.com</c>), too little for someone who only knows the password to learn it.
/// </summary>
public static class EmailAddressMask
{
    public static string Mask(string address)
    {
        var at = address.LastIndexOf('@');
        return at <= 0 ? "•••" : address[0] + "•••" + address[at..];
    }
}
