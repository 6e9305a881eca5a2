using WebEngine.TestSupport;
using static Microsoft.Playwright.Assertions;

namespace WebEngine.Dashboard.Tests.Browser;

/// <summary>The images page and the create form pull from a registry (Debian's docker-registry on loopback) with a live bar per layer.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ImagePullTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task Admin_pulls_with_a_bar_per_layer_and_sees_errors_in_the_apis_words()
    {
        using var registry = new RegistryFixture();
        // Not busybox, which the daemon already has: every layer of this one really downloads.
        registry.CopyIn($"oci-archive:{RepoPaths.SharedImage("debian-minbase-oci.tar")}:debian:bookworm-minbase", "dash/pulled:v1");
        var reference = $"{registry.Host}/dash/pulled:v1";
        var page = await fixture.SignedInPageAsync("admin", "/ui/images");

        await DashboardFixture.Input(page, "image-pull-reference").FillAsync(reference);
        await page.Locator("[data-testid=image-pull]").ClickAsync();
        var layers = page.Locator("[data-testid=pull-layer]");
        await Expect(layers.First).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=pull-status]")).ToContainTextAsync("Downloaded newer image", new() { Timeout = 120_000 });
        var count = await layers.CountAsync();
        Assert.True(count >= 1, "no layer rows");
        await Expect(page.Locator("[data-testid=pull-layer-status]", new() { HasText = "Pull complete" })).ToHaveCountAsync(count);
        await Expect(page.Locator("[data-testid=pull-layer] .mud-progress-linear")).ToHaveCountAsync(count);
        await Expect(page.Locator("[data-testid=image-tags]", new() { HasText = reference })).ToHaveCountAsync(1);
        await DashboardFixture.ScreenshotAsync(page, "images-pull");
        Assert.Contains(reference, await fixture.Daemon.DockerOkAsync("images", "--format", "{{.Repository}}:{{.Tag}}"), StringComparison.Ordinal);

        // A missing image: the page says what the API says to the docker CLI.
        var missing = $"{registry.Host}/dash/missing:v1";
        var (code, _, stderr) = await fixture.Daemon.DockerAsync("pull", missing);
        Assert.NotEqual(0, code);
        var words = stderr.Trim().Replace("Error response from daemon: ", "", StringComparison.Ordinal);
        // Enter pulls too (the success message covers the button now).
        await DashboardFixture.Input(page, "image-pull-reference").FillAsync(missing);
        await DashboardFixture.Input(page, "image-pull-reference").PressAsync("Enter");
        await Expect(page.Locator("[data-testid=pull-error]")).ToHaveTextAsync(words);
        await Expect(page.Locator("[data-testid=pull-layer]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Create_form_pulls_a_missing_image_with_its_progress_then_runs_it()
    {
        using var registry = new RegistryFixture();
        registry.CopyIn($"oci-archive:{RepoPaths.SharedImage("debian-minbase-oci.tar")}:debian:bookworm-minbase", "dash/created:v1");
        var reference = $"{registry.Host}/dash/created:v1";
        var page = await fixture.SignedInPageAsync("admin", "/ui/containers/create");

        // An image the registry does not have: the pull fails in the words the docker CLI shows, and nothing is created.
        var missing = $"{registry.Host}/dash/missing:v1";
        var (code, _, stderr) = await fixture.Daemon.DockerAsync("pull", missing);
        Assert.NotEqual(0, code);
        var words = stderr.Trim().Replace("Error response from daemon: ", "", StringComparison.Ordinal);
        var refused = DashboardFixture.NewName("unpulled");
        await DashboardFixture.Input(page, "create-image").FillAsync(missing);
        await DashboardFixture.Input(page, "create-name").FillAsync(refused);
        await DashboardFixture.Input(page, "create-command").FillAsync("sleep 300");
        await page.Locator("[data-testid=create-submit]").ClickAsync();
        await Expect(page.Locator("[data-testid=pull-error]")).ToHaveTextAsync(words, new() { Timeout = 60_000 });
        await Expect(page.Locator("[data-testid=create-submit]")).ToHaveTextAsync("Create");
        await DashboardFixture.ScreenshotAsync(page, "create-container-pull-failed");
        Assert.EndsWith("/ui/containers/create", page.Url, StringComparison.Ordinal);
        Assert.Equal("", await fixture.Daemon.DockerOkAsync("ps", "-aq", "--filter", $"name={refused}"));
        Assert.DoesNotContain("dash/missing", await fixture.Daemon.DockerOkAsync("images", "-a", "--format", "{{.Repository}}"), StringComparison.Ordinal);

        // The page navigates away once the container runs: what the pull showed meanwhile is recorded as it renders.
        await page.EvaluateAsync("""
            () => {
              window.pullSeen = { layers: 0, statuses: [], buttons: [] };
              new MutationObserver(() => {
                const button = document.querySelector('[data-testid=create-submit]')?.textContent.trim();
                if (button && !window.pullSeen.buttons.includes(button)) window.pullSeen.buttons.push(button);
                window.pullSeen.layers = Math.max(window.pullSeen.layers, document.querySelectorAll('[data-testid=pull-layer]').length);
                for (const status of document.querySelectorAll('[data-testid=pull-layer-status]'))
                  if (!window.pullSeen.statuses.includes(status.textContent.trim())) window.pullSeen.statuses.push(status.textContent.trim());
              }).observe(document.body, { childList: true, subtree: true, characterData: true });
            }
            """);
        var name = DashboardFixture.NewName("pulled");
        await DashboardFixture.Input(page, "create-image").FillAsync(reference);
        await DashboardFixture.Input(page, "create-name").FillAsync(name);
        await page.Locator("[data-testid=create-submit]").ClickAsync();
        await page.WaitForURLAsync("**/ui/containers/*", new() { Timeout = 180_000 });
        await Expect(page.Locator("[data-testid=container-state]")).ToHaveTextAsync("running", new() { Timeout = 60_000 });
        var layers = await page.EvaluateAsync<int>("window.pullSeen.layers");
        var statuses = await page.EvaluateAsync<string[]>("window.pullSeen.statuses");
        Assert.True(layers >= 1, "the form showed no layer of the pull");
        Assert.Contains("Pull complete", statuses);
        Assert.Contains("Pulling…", await page.EvaluateAsync<string[]>("window.pullSeen.buttons"));
        Assert.Equal("running", await fixture.Daemon.DockerOkAsync("inspect", "-f", "{{.State.Status}}", name));
        Assert.Equal(reference, await fixture.Daemon.DockerOkAsync("inspect", "-f", "{{.Config.Image}}", name));
        await fixture.Daemon.DockerOkAsync("rm", "-f", name);
    }
}
