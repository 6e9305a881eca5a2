using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using WebEngine.Web;

namespace WebEngine.Api.Tests.SystemCommands;

/// <summary>The host's branch for requests without an endpoint (the dashboard's, the hubs' and Swagger's pipeline).</summary>
public sealed class UnmatchedRequestBranchTests
{
    private sealed class Engine;

    private interface IListener;

    private sealed class FirstListener : IListener;

    private sealed class SecondListener : IListener;

    private sealed class PageState;

    [Fact]
    public async Task TheBranchIsBuiltOnTheFirstRequestWithoutAnEndpointAndSharesTheHostsSingletons()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton<Engine>();
        builder.Services.AddSingleton<IListener, FirstListener>();
        builder.Services.AddSingleton<IListener, SecondListener>();
        await using var app = builder.Build();
        var builds = 0;
        var seen = new List<(Engine Engine, IListener[] Listeners, PageState State)>();
        app.UseRouting();
        app.UseBranchForUnmatched(builder.Services, services => services.AddScoped<PageState>(), branch =>
        {
            builds++;
            branch.Run(context =>
            {
                var services = context.RequestServices;
                seen.Add((services.GetRequiredService<Engine>(), services.GetServices<IListener>().ToArray(), services.GetRequiredService<PageState>()));
                return context.Response.WriteAsync("branch");
            });
        });
        app.MapGet("/api", () => "api");
        await app.StartAsync();
        using var client = app.GetTestClient();

        Assert.Equal("api", await client.GetStringAsync("/api"));
        Assert.Equal(0, builds);
        Assert.Null(app.Services.GetService<PageState>());

        Assert.Equal("branch", await client.GetStringAsync("/page"));
        Assert.Equal("branch", await client.GetStringAsync("/other"));
        Assert.Equal("api", await client.GetStringAsync("/api"));
        Assert.Equal(1, builds);
        Assert.Equal(2, seen.Count);
        foreach (var (engine, listeners, _) in seen)
        {
            Assert.Same(app.Services.GetRequiredService<Engine>(), engine);
            Assert.Equal(app.Services.GetServices<IListener>(), listeners);
        }
        Assert.IsType<FirstListener>(seen[0].Listeners[0]);
        // The branch's scoped services are made per request.
        Assert.NotSame(seen[0].State, seen[1].State);
        await app.StopAsync();
    }
}
