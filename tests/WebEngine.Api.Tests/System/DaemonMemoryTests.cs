using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using WebEngine.Api.Auth;
using WebEngine.Api.Tests.Auth;
using WebEngine.Data;
using WebEngine.TestSupport;
using WebEngine.Web;

namespace WebEngine.Api.Tests.SystemCommands;

/// <summary>What the daemon leaves out of its memory until it is needed (issue 6's memory goal), each kept working.</summary>
public sealed class DaemonMemoryTests : IDisposable
{
    private const string DataProtectionHostedService = "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService";
    private readonly TempDirectory _dir = new("daemon-memory");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public void DataProtectionHasNoStartupServiceLeftAfterAuthAndTheDashboardAddedIt()
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["WebEngine:DataRoot"] = _dir.Path })
            .Build();
        services.AddWebEngineAuth(configuration.GetSection("WebEngine"));
        services.AddAntiforgery(); // as the dashboard's AddRazorComponents does, which adds data protection again
        // The name is data protection's own: the test fails if ASP.NET Core renames the service.
        Assert.NotNull(typeof(DataProtectionOptions).Assembly.GetType(DataProtectionHostedService));
        Assert.Contains(services, d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.FullName == DataProtectionHostedService);

        services.LoadDataProtectionKeysOnFirstUse();

        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.FullName == DataProtectionHostedService);
        // The keys are still made and kept on first use.
        using var provider = services.BuildServiceProvider();
        var protector = provider.GetRequiredService<IDataProtectionProvider>().CreateProtector("test");
        Assert.Equal("secret", protector.Unprotect(protector.Protect("secret")));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(_dir.Path, "keys"), "key-*.xml"));
    }

    [Fact]
    public void ADatabaseWithMigrationsMissingGetsThemOnOpenAndAnUpToDateOneOpensAsIs()
    {
        var path = _dir.Combine("webengine.db");
        var options = new DbContextOptionsBuilder<WebEngineDbContext>().UseSqlite($"Data Source={path}").Options;
        string[] all;
        using (var context = new WebEngineDbContext(options))
        {
            all = context.Database.GetMigrations().ToArray();
            Assert.True(all.Length > 1);
            context.GetService<IMigrator>().Migrate(all[0]);
            Assert.Equal(all.Skip(1), context.Database.GetPendingMigrations());
        }

        var database = WebEngineDatabase.Open(path);
        using (var context = database.CreateContext())
        {
            Assert.Empty(context.Database.GetPendingMigrations());
            Assert.Equal(all, context.Database.GetAppliedMigrations());
            Assert.Equal(0, context.Images.Count());
        }

        var again = WebEngineDatabase.Open(path);
        using (var context = again.CreateContext())
            Assert.Equal(all, context.Database.GetAppliedMigrations());
    }

    [Fact]
    public async Task TheDashboardHubsAndSwaggerAreLoadedOnlyWhenABrowserFirstAsksForOne()
    {
        string[] browserOnly = ["MudBlazor.dll", "Microsoft.AspNetCore.Components.Server.dll", "Microsoft.AspNetCore.SignalR.Core.dll", "Swashbuckle.AspNetCore.SwaggerGen.dll"];
        var port = HttpListenerFixture.FreePort();
        await using var daemon = await DaemonProcess.StartAsync($"--WebEngine:HttpUrls:0=http://127.0.0.1:{port}");
        foreach (var command in new[] { new[] { "version" }, ["info"], ["ps", "-a"], ["images"], ["volume", "ls"] })
        {
            var (exitCode, _, stderr) = await daemon.DockerAsync(command);
            Assert.True(exitCode == 0, $"docker {string.Join(' ', command)}: {stderr}");
        }
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        Assert.Equal("OK", await http.GetStringAsync("_ping"));
        var loaded = MappedAssemblies(daemon.ProcessId);
        Assert.Contains("WebEngine.Api.dll", loaded);
        foreach (var assembly in browserOnly)
            Assert.DoesNotContain(assembly, loaded);

        var page = await http.GetStringAsync("signin");
        Assert.Contains("data-testid=\"signin-form\"", page);
        loaded = MappedAssemblies(daemon.ProcessId);
        foreach (var assembly in browserOnly)
            Assert.Contains(assembly, loaded);
    }

    private static HashSet<string> MappedAssemblies(int pid) =>
        File.ReadLines($"/proc/{pid}/maps").Select(line => Path.GetFileName(line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Last()))
            .Where(name => name.EndsWith(".dll", StringComparison.Ordinal)).ToHashSet();

    [Theory]
    [InlineData(0, 0, 0, false)] // nothing happened
    [InlineData(0, 10_000_000, 10_000_000, true)] // a burst, then a quiet second
    [InlineData(0, 10_000_000, 10_000_000 + IdleMemoryTrim.QuietBytesPerSecond, false)] // still busy
    [InlineData(10_000_000, 10_000_000, 10_100_000, false)] // quiet, but nothing since the last trim worth returning
    [InlineData(0, IdleMemoryTrim.BurstBytes - 1, IdleMemoryTrim.BurstBytes - 1, false)]
    [InlineData(0, IdleMemoryTrim.BurstBytes, IdleMemoryTrim.BurstBytes + 1000, true)]
    public void MemoryIsTrimmedInTheFirstQuietSecondAfterABurst(long atLastTrim, long aSecondAgo, long now, bool trim) =>
        Assert.Equal(trim, IdleMemoryTrim.ShouldTrim(atLastTrim, aSecondAgo, now));
}
