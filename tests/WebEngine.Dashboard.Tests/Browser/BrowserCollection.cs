namespace WebEngine.Dashboard.Tests.Browser;

/// <summary>
/// The browser test classes run one after another (each with its own daemon and chromium): side by side on two cores
/// they would measure each other's load instead of the dashboard's responsiveness.
/// </summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection
{
    public const string Name = "Browser";
}
