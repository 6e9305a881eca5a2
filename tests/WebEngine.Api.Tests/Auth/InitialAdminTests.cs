using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using WebEngine.Api.Auth;
using WebEngine.Data;
using WebEngine.TestSupport;

namespace WebEngine.Api.Tests.Auth;

/// <summary>The first start creates "admin": with a random password written once to the log, or the configured one.</summary>
public sealed partial class InitialAdminTests
{
    [Fact]
    public async Task TheFirstStartLogsARandomAdminPasswordThatSignsIn()
    {
        var port = HttpListenerFixture.FreePort();
        await using var daemon = await DaemonProcess.StartAsync($"--WebEngine:HttpUrls:0=http://127.0.0.1:{port}");
        var match = await WaitForPasswordAsync(daemon);
        var password = match.Groups["password"].Value;
        Assert.True(password.Length >= 20, password);

        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}/"),
        };
        var signIn = await client.PostAsync("webengine/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = "admin", ["password"] = password,
        }));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/", signIn.Headers.Location!.OriginalString);
        Assert.Contains("\"Role\":\"admin\"", await client.GetStringAsync("webengine/me"));
    }

    [Fact]
    public async Task TheAdminIsCreatedOnceAndAConfiguredPasswordIsNeverLogged()
    {
        using var dir = new TempDirectory("initial-admin");
        var database = WebEngineDatabase.Open(dir.Combine("webengine.db"));
        var users = new UserService(database, new CredentialCheckCache(TimeProvider.System));
        var log = new ListLogger();

        await new InitialAdmin(users, new AuthOptions { InitialAdminPassword = "configured-password" }, log).StartAsync(CancellationToken.None);
        await new InitialAdmin(users, new AuthOptions(), log).StartAsync(CancellationToken.None);

        var admin = Assert.Single(await users.ListAsync(CancellationToken.None));
        Assert.Equal(("admin", "admin"), (admin.Name, admin.Role));
        Assert.NotNull(await users.VerifyPasswordAsync("admin", "configured-password", CancellationToken.None));
        var line = Assert.Single(log.Lines);
        Assert.Contains("WebEngine:InitialAdminPassword", line);
        Assert.DoesNotContain("configured-password", line);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    private static async Task<Match> WaitForPasswordAsync(DaemonProcess daemon)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var match = PasswordLine().Match(daemon.Log);
            if (match.Success || DateTime.UtcNow > deadline)
            {
                Assert.True(match.Success, $"no admin password in the log:\n{daemon.Log}");
                Assert.Single(PasswordLine().Matches(daemon.Log));
                return match;
            }
            await Task.Delay(100);
        }
    }

    [GeneratedRegex(@"Created user admin \(role admin\) with password (?<password>\S+) - it is shown only this once")]
    private static partial Regex PasswordLine();

    private sealed class ListLogger : ILogger<InitialAdmin>
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
