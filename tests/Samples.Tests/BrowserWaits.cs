global using static Samples.Tests.BrowserWaits;
using Microsoft.Playwright;

namespace Samples.Tests;

public static class BrowserWaits
{
    /// <summary>
    /// Waits for the URL only, not for the load event after it: once seen in CI, the load event of
    /// a page already at the URL never arrived and the wait timed out. What the test reads next
    /// (TextContentAsync and the like) waits for its element anyway.
    /// </summary>
    public static readonly PageWaitForURLOptions Committed = new() { WaitUntil = WaitUntilState.Commit };
}
