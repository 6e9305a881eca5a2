using WebEngine.Engine.Containers;

namespace WebEngine.Engine.Tests.Bundles;

public sealed class ContainerModelTests
{
    [Theory]
    [InlineData("web", "web")]
    [InlineData("/web-1", "web-1")]
    [InlineData("a.b_c-d", "a.b_c-d")]
    public void Valid_names_are_normalized(string name, string expected) => Assert.Equal(expected, ContainerName.Normalize(name));

    [Theory]
    [InlineData("a")]
    [InlineData("-web")]
    [InlineData("web/1")]
    [InlineData("web 1")]
    [InlineData("//web")]
    public void Invalid_names_are_refused(string name)
    {
        var error = Assert.Throws<InvalidArgumentException>(() => ContainerName.Normalize(name));
        Assert.Equal($"Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", error.Message);
    }

    [Fact]
    public void Generated_names_are_valid_and_avoid_taken_ones()
    {
        var generator = new ContainerNameGenerator(new Random(7));
        var taken = new HashSet<string>();

        for (var i = 0; i < 500; i++)
            Assert.True(taken.Add(generator.Generate(taken.Contains)));

        Assert.All(taken, name => Assert.Matches("^[a-z]+_[a-z]+[0-9]*$", name));
    }

    [Fact]
    public void A_crowded_namespace_falls_back_to_a_numeric_suffix()
    {
        var generator = new ContainerNameGenerator(new Random(1));

        var name = generator.Generate(candidate => !char.IsAsciiDigit(candidate[^1]));

        Assert.True(char.IsAsciiDigit(name[^1]));
    }

    private static readonly ImageRuntimeConfig Image = new()
    {
        Entrypoint = ["/entry.sh"],
        Cmd = ["serve", "--port", "80"],
        Env = ["PATH=/image/bin", "MODE=image", "ONLY_IMAGE=1"],
        WorkingDir = "/app",
        User = "app",
        StopSignal = "SIGQUIT",
        Labels = new Dictionary<string, string> { ["from"] = "image", ["shared"] = "image" },
        Volumes = new HashSet<string> { "/data" },
        Healthcheck = new HealthConfig { Test = ["CMD", "check"], Interval = 5_000_000_000, Retries = 3 },
    };

    [Fact]
    public void The_images_entrypoint_and_cmd_apply_when_none_is_given()
    {
        var merged = ContainerConfigMerge.Apply(new ContainerConfig { Image = "x" }, Image);

        Assert.Equal(["/entry.sh", "serve", "--port", "80"], ContainerConfigMerge.CommandLine(merged));
        Assert.Equal("app", merged.User);
        Assert.Equal("/app", merged.WorkingDir);
        Assert.Equal("SIGQUIT", merged.StopSignal);
        Assert.Contains("/data", merged.Volumes);
    }

    [Fact]
    public void A_cmd_replaces_the_images_cmd_but_keeps_its_entrypoint()
    {
        var merged = ContainerConfigMerge.Apply(new ContainerConfig { Cmd = ["migrate"] }, Image);

        Assert.Equal(["/entry.sh", "migrate"], ContainerConfigMerge.CommandLine(merged));
    }

    [Fact]
    public void An_entrypoint_drops_the_images_cmd()
    {
        var merged = ContainerConfigMerge.Apply(new ContainerConfig { Entrypoint = ["sh"] }, Image);

        Assert.Equal(["sh"], ContainerConfigMerge.CommandLine(merged));
    }

    [Fact]
    public void An_empty_string_entrypoint_resets_it_and_keeps_the_users_cmd()
    {
        var merged = ContainerConfigMerge.Apply(new ContainerConfig { Entrypoint = [""], Cmd = ["ls", "/"] }, Image);

        Assert.Equal(["ls", "/"], ContainerConfigMerge.CommandLine(merged));
    }

    [Fact]
    public void No_command_at_all_is_an_error()
    {
        var error = Assert.Throws<InvalidArgumentException>(() => ContainerConfigMerge.Apply(new ContainerConfig(), new ImageRuntimeConfig()));

        Assert.Equal("no command specified", error.Message);
    }

    [Fact]
    public void Env_labels_and_healthcheck_merge_with_the_users_values_winning()
    {
        var user = new ContainerConfig
        {
            Env = ["MODE=user"],
            Labels = new Dictionary<string, string> { ["shared"] = "user" },
            Healthcheck = new HealthConfig { Retries = 9 },
        };

        var merged = ContainerConfigMerge.Apply(user, Image);

        Assert.Equal(["MODE=user", "PATH=/image/bin", "ONLY_IMAGE=1"], merged.Env);
        Assert.Equal("user", merged.Labels["shared"]);
        Assert.Equal("image", merged.Labels["from"]);
        Assert.Equal(["CMD", "check"], merged.Healthcheck!.Test);
        Assert.Equal(9, merged.Healthcheck.Retries);
        Assert.Equal(5_000_000_000, merged.Healthcheck.Interval);
    }

    [Theory]
    [InlineData("SIGTERM", 15)]
    [InlineData("term", 15)]
    [InlineData("9", 9)]
    [InlineData("SIGRTMIN+2", 36)]
    [InlineData("RTMAX-1", 63)]
    public void Signals_parse_by_name_or_number(string value, int expected) => Assert.Equal(expected, Signals.Parse(value));

    [Theory]
    [InlineData("SIGNOPE")]
    [InlineData("0")]
    [InlineData("65")]
    [InlineData("RTMIN+40")]
    public void Unknown_signals_are_refused(string value) =>
        Assert.Equal($"Invalid signal: {value}", Assert.Throws<InvalidArgumentException>(() => Signals.Parse(value)).Message);

    [Fact]
    public void Binds_mounts_and_tmpfs_are_normalized()
    {
        var source = Path.GetTempPath().TrimEnd('/');
        var host = new HostConfig
        {
            Binds = [$"{source}:/ro:ro,rshared", "named:/vol:nocopy", "/anon"],
            Mounts = [new MountSpec { Type = MountType.Bind, Source = source, Target = "/nr", BindNonRecursive = true, ReadOnly = true }],
            Tmpfs = new Dictionary<string, string> { ["/t"] = "size=1m, mode=700" },
        };

        var mounts = ContainerMounts.Resolve(host).ToDictionary(m => m.Target);

        Assert.Equal(new ContainerMount { Type = MountType.Bind, Source = source, Target = "/ro", ReadOnly = true, Propagation = "rshared", CreateSourceIfMissing = true }, mounts["/ro"]);
        Assert.Equal(MountType.Volume, mounts["/vol"].Type);
        Assert.False(mounts["/vol"].CopyImageData);
        Assert.Equal("", mounts["/anon"].Source);
        Assert.False(mounts["/nr"].Recursive);
        Assert.Equal(["size=1m", "mode=700"], mounts["/t"].TmpfsOptions);
    }
}
