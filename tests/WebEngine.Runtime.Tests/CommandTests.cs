using System.Text.Json;
using WebEngine.Oci;
using WebEngine.TestSupport;

namespace WebEngine.Runtime.Tests;

/// <summary>The commands that do not drive a lifecycle: spec, features, list, --version.</summary>
public sealed class CommandTests : ContainerTestBase
{
    [Fact]
    public void Spec_writes_the_default_config_and_refuses_to_overwrite()
    {
        using var dir = new TempDirectory("webengine-spec");
        Cli.Ok("spec", "--bundle", dir.Path);
        var spec = JsonSerializer.Deserialize(File.ReadAllText(dir.Combine("config.json")), OciJsonContext.Default.RuntimeSpec)!;
        Assert.Equal(["sh"], spec.Process!.Args);
        Assert.Equal("rootfs", spec.Root!.Path);
        var again = Cli.Run("spec", "--bundle", dir.Path);
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("already exists", again.Stderr);
    }

    [Fact]
    public void Features_prints_the_schema_document()
    {
        var features = JsonSerializer.Deserialize(Cli.Ok("features").Stdout, OciFeaturesJsonContext.Default.RuntimeFeatures)!;
        Assert.Equal("1.0.0", features.OciVersionMin);
        Assert.Contains("CAP_SYS_ADMIN", features.Linux!.Capabilities!);
        Assert.Contains("poststop", features.Hooks!);
    }

    [Fact]
    public void List_shows_containers_as_table_json_and_ids()
    {
        Command("sleep", "1000");
        Create();
        Assert.Equal(Id, Cli.Ok("list", "-q").Stdout.Trim());
        var table = Cli.Ok("list").Stdout;
        Assert.Contains("STATUS", table);
        Assert.Contains(Id, table);
        Assert.Contains("created", table);
        using var doc = JsonDocument.Parse(Cli.Ok("list", "--format", "json").Stdout);
        var entry = doc.RootElement.EnumerateArray().Single();
        Assert.Equal(Id, entry.GetProperty("id").GetString());
        Assert.Equal("created", entry.GetProperty("status").GetString());
        Assert.Equal(Bundle.Path, entry.GetProperty("bundle").GetString());
    }

    [Fact]
    public void Version_and_help()
    {
        Assert.Contains("webengine-runtime version", Cli.Ok("--version").Stdout);
        Assert.Contains("usage:", Cli.Ok("--help").Stdout);
        var unknown = Cli.Run("frobnicate");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("unknown command", unknown.Stderr);
    }
}
