using Bunit;
using WebEngine.Engine.Images;
using WebEngine.Web.Components;
using WebEngine.Web.Components.Shared;

namespace WebEngine.Dashboard.Tests.Components;

/// <summary>How the images page folds the engine's pull reports into a bar per layer.</summary>
public sealed class ImagePullProgressTests : IAsyncLifetime
{
    private readonly BunitContext _context = new();

    public ImagePullProgressTests() => _context.Services.AddMudServicesForTests();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _context.DisposeAsync().AsTask();

    [Fact]
    public void Layers_keep_their_first_order_and_show_the_last_report()
    {
        var pull = new ImagePullProgress("busybox");
        pull.Report(new ImageProgress("latest", "Pulling from library/busybox"));
        pull.Report(new ImageProgress("aaaaaaaaaaaa", "Pulling fs layer"));
        pull.Report(new ImageProgress("bbbbbbbbbbbb", "Already exists"));
        pull.Report(new ImageProgress("aaaaaaaaaaaa", "Downloading", 250, 1000));

        Assert.Equal("latest: Pulling from library/busybox", pull.Status);
        Assert.Equal(["aaaaaaaaaaaa", "bbbbbbbbbbbb"], pull.Layers.Select(l => l.Id));
        Assert.Equal(25, pull.Layers[0].Percent);
        Assert.Equal(100, pull.Layers[1].Percent);
        Assert.True(pull.Layers[1].Complete);
        Assert.False(pull.Layers[0].Complete);

        pull.Report(new ImageProgress("aaaaaaaaaaaa", "Extracting", 0, 1000));
        Assert.Equal(0, pull.Layers[0].Percent);
        pull.Report(new ImageProgress("aaaaaaaaaaaa", "Pull complete", 1000, 1000));
        pull.Report(new ImageProgress("", "Status: Downloaded newer image for busybox:latest"));
        Assert.Equal(100, pull.Layers[0].Percent);
        Assert.Equal("Status: Downloaded newer image for busybox:latest", pull.Status);
        Assert.Equal(2, pull.Layers.Count);
    }

    [Fact]
    public void Every_report_and_the_end_raise_changed()
    {
        var pull = new ImagePullProgress("busybox");
        var changes = 0;
        pull.Changed += () => changes++;
        pull.Report(new ImageProgress("aaaaaaaaaaaa", "Pulling fs layer"));
        pull.Fail("No such image: busybox");
        Assert.Equal(2, changes);
        Assert.True(pull.Finished);
        Assert.Equal("No such image: busybox", pull.Error);
    }

    [Fact]
    public void View_draws_a_bar_per_layer_and_the_error()
    {
        var pull = new ImagePullProgress("127.0.0.1:5000/app");
        pull.Report(new ImageProgress("aaaaaaaaaaaa", "Downloading", 500_000, 1_000_000));
        pull.Fail("manifest unknown");
        var cut = _context.Render<ImagePullView>(p => p.Add(c => c.Progress, pull));

        var layer = cut.Find("[data-testid=pull-layer]");
        Assert.Equal("aaaaaaaaaaaa", layer.GetAttribute("data-layer"));
        Assert.Equal("Downloading", cut.Find("[data-testid=pull-layer-status]").TextContent);
        Assert.Contains("500 kB / 1 MB", layer.TextContent, StringComparison.Ordinal);
        Assert.Single(cut.FindAll("[data-testid=pull-layer] .mud-progress-linear"));
        Assert.Equal("manifest unknown", cut.Find("[data-testid=pull-error]").TextContent.Trim());
    }
}
