using System.Text;
using Microsoft.Playwright;
using WebEngine.TestSupport;

namespace WebEngine.Dashboard.Tests.Browser;

/// <summary>
/// One daemon and one chromium for a test class, with three users (admin, an operator, a viewer). Pages are opened
/// signed in as one of them; each test gets its own browser context (cookies), closed at the end of the class.
/// </summary>
public class DashboardFixture : IAsyncLifetime
{
    public const string OperatorName = "oscar";
    public const string ViewerName = "vera";
    public const string UserPassword = "password-for-tests";

    private IPlaywright? _playwright;
    private DashboardDaemon? _daemon;

    public DashboardDaemon Daemon => _daemon ?? throw new InvalidOperationException("the daemon has not started");
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The webengine.dll to run; null for this build's output.</summary>
    protected virtual string? DaemonPath => null;

    public async Task InitializeAsync()
    {
        Prerequisites.RequireFile("/usr/bin/chromium", "Debian's chromium (apt-get install chromium)");
        // The suite runs beside the other test projects on two cores: Playwright's default of 5 s per assertion was
        // too short there. An assertion still returns as soon as it holds.
        Assertions.SetDefaultExpectTimeout(20_000);
        _daemon = await DashboardDaemon.StartAsync(DaemonPath);
        await CreateUserAsync(OperatorName, "operator");
        await CreateUserAsync(ViewerName, "viewer");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
            Timeout = 60_000,
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (_daemon is not null)
            await _daemon.DisposeAsync();
    }

    /// <summary>A new browser context signed in through the sign-in form, on <paramref name="path"/>, with the circuit up.</summary>
    public async Task<IPage> SignedInPageAsync(string user, string path = "/")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Daemon.BaseAddress.ToString(), ViewportSize = new() { Width = 1400, Height = 900 } });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync(path);
        await page.WaitForURLAsync("**/signin**");
        var password = user == "admin" ? DashboardDaemon.AdminPassword : UserPassword;
        // Once, on a machine loaded far beyond its cores, a click on the submit button in CI led to no navigation at
        // all (the wait saw only "network idle"). A form that was never sent is sent again, once; an answer that
        // comes back to the sign-in page is a failure, reported with what the page and the daemon said.
        for (var attempt = 1; ; attempt++)
        {
            await page.FillAsync("#username", user);
            await page.FillAsync("#password", password);
            try
            {
                // Only the navigation's commit: the page's own load is waited for by WaitUntilInteractiveAsync (on a
                // loaded machine a full "load" took longer than the default 30 s).
                var form = page.Url;
                await page.ClickAsync("button[type=submit]");
                await page.WaitForURLAsync(url => url != form, new() { WaitUntil = WaitUntilState.Commit, Timeout = 45_000 });
                break;
            }
            catch (TimeoutException) when (attempt == 1 && page.Url.Contains("/signin", StringComparison.Ordinal) && !page.Url.Contains("error=", StringComparison.Ordinal))
            {
                Console.Error.WriteLine($"sign-in of {user}: the form's submit led to no navigation in 45 s; submitting again");
            }
        }
        if (page.Url.Contains("/signin", StringComparison.Ordinal))
        {
            var shown = await page.Locator("[data-testid=signin-error]").AllTextContentsAsync();
            var log = Daemon.Log;
            throw new InvalidOperationException($"sign-in of {user} ended on {page.Url} ({string.Join(" ", shown)}); the daemon's log ends:\n{log[Math.Max(0, log.Length - 4000)..]}");
        }
        await WaitUntilInteractiveAsync(page);
        return page;
    }

    /// <summary>Clicks before the Blazor circuit is up are lost: the layout shows its marker only once it runs interactively.</summary>
    public static async Task WaitUntilInteractiveAsync(IPage page) =>
        await page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 60_000 });

    /// <summary>Saves a screenshot among the test artifacts (artifacts/test-results/dashboard-screenshots).</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var directory = Path.Combine(RepoPaths.Root, "artifacts", "test-results", "dashboard-screenshots");
        Directory.CreateDirectory(directory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(directory, name + ".png"), FullPage = true });
    }

    /// <summary>The input of a MudBlazor text field: the test id lands on the input itself or on its wrapper.</summary>
    public static ILocator Input(IPage page, string testId) =>
        page.Locator($"input[data-testid={testId}], textarea[data-testid={testId}], [data-testid={testId}] input").First;

    /// <summary>A unique container name for one test.</summary>
    public static string NewName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    private async Task CreateUserAsync(string name, string role)
    {
        using var http = UnixSocketClient(Daemon.Socket);
        var body = $$"""{"Name":"{{name}}","Password":"{{UserPassword}}","Role":"{{role}}"}""";
        using var response = await http.PostAsync("/webengine/users", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, $"creating {role} {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public static HttpClient UnixSocketClient(string socket) => new(UnixSocketHttp.Handler(socket))
    {
        BaseAddress = new Uri("http://webengine.localhost/"),
        Timeout = TimeSpan.FromSeconds(120),
    };
}
