using System.Formats.Tar;
using System.Text;
using WebEngine.TestSupport;

namespace WebEngine.Api.Tests.Images;

/// <summary>
/// docker build (the classic builder, as the docker CLI without buildx uses it) end to end against the real daemon:
/// a multi-step Dockerfile run afterwards, build args, .dockerignore, multi-stage COPY --from, ADD of a tar, failures
/// and what they leave, history, quiet output, events. Each test removes what it built, also when it fails.
/// </summary>
public sealed class BuildCliTests(ImageDaemonFixture fixture) : IClassFixture<ImageDaemonFixture>, IAsyncLifetime
{
    private readonly List<string> _images = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        var (_, containers, _) = await fixture.Daemon.DockerAsync("ps", "-aq");
        var ids = containers.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (ids.Length > 0)
            await fixture.Daemon.DockerAsync(["rm", "-f", "-v", .. ids]);
        foreach (var image in _images)
            await fixture.Daemon.DockerAsync("rmi", "-f", image);
        var (_, dangling, _) = await fixture.Daemon.DockerAsync("images", "-q", "--filter", "dangling=true");
        var danglingIds = dangling.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (danglingIds.Length > 0)
            await fixture.Daemon.DockerAsync(["rmi", "-f", .. danglingIds]);
    }

    [Fact]
    public async Task A_multi_step_Dockerfile_builds_an_image_that_runs_as_written()
    {
        var tag = Named("multistep");
        var context = Context(new()
        {
            ["Dockerfile"] = """
                # a comment, then a continued line
                FROM busybox
                ENV GREETING=hello \
                    TARGET=world
                WORKDIR /app
                COPY message.txt ./
                RUN echo "$GREETING $TARGET from run" > run.txt && echo built-output
                CMD ["sh", "-c", "cat /app/run.txt /app/message.txt; pwd"]
                """,
            ["message.txt"] = "from the context\n",
        });
        var since = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var output = await fixture.DockerOkAsync("build", "-t", tag, context);
        Assert.Contains("Step 1/6 : FROM busybox", output);
        Assert.Contains("Step 2/6 : ENV GREETING=hello     TARGET=world", output);
        Assert.Contains(" ---> Running in ", output);
        Assert.Contains("built-output", output);
        Assert.Contains(" ---> Removed intermediate container ", output);
        var id = await fixture.DockerOkAsync("image", "inspect", "--format", "{{.Id}}", tag);
        Assert.Contains($"Successfully built {id[7..19]}", output);
        Assert.EndsWith($"Successfully tagged {tag}:latest", output);

        Assert.Equal("hello world from run\nfrom the context\n/app", await fixture.DockerOkAsync("run", "--rm", tag));
        Assert.Equal("", await fixture.DockerOkAsync("ps", "-aq"));
        var images = (await fixture.DockerOkAsync("images", "-q")).Split('\n').Order().ToList();
        Assert.Equal(2, images.Count);
        Assert.Contains(id[7..19], images);

        var history = (await fixture.DockerOkAsync("history", "--no-trunc", "--format", "{{.CreatedBy}}", tag)).Split('\n');
        Assert.Equal("/bin/sh -c #(nop)  CMD [\"sh\" \"-c\" \"cat /app/run.txt /app/message.txt; pwd\"]", history[0]);
        Assert.Equal("/bin/sh -c echo \"$GREETING $TARGET from run\" > run.txt && echo built-output", history[1]);
        Assert.Matches(@"^/bin/sh -c #\(nop\) COPY file:[0-9a-f]{64} in \./ $", history[2]);
        Assert.Equal("/bin/sh -c #(nop) WORKDIR /app", history[3]);
        Assert.Equal("/bin/sh -c #(nop)  ENV GREETING=hello TARGET=world", history[4]);

        var until = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1;
        var events = await fixture.DockerOkAsync("events", "--since", since.ToString(), "--until", until.ToString(), "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}");
        Assert.Contains($"image tag {tag}:latest", events);
        foreach (var action in new[] { "create", "start", "die", "destroy" })
            Assert.Contains($"container {action} ", events);
    }

    [Fact]
    public async Task Build_args_dockerignore_multi_stage_copy_from_and_add_of_a_tar()
    {
        var tag = Named("stages");
        var context = Context(new()
        {
            ["Dockerfile"] = """
                ARG BASE=busybox
                FROM ${BASE} AS builder
                ARG FLAVOR=plain
                RUN mkdir /out && echo "flavor=$FLAVOR" > /out/flavor.txt
                FROM busybox
                COPY --from=builder /out/flavor.txt /result/
                ADD bundle.tar /unpacked/
                COPY --chmod=600 . /ctx/
                CMD ["sh", "-c", "cat /result/flavor.txt; ls /unpacked /unpacked/inner; ls /ctx; stat -c %a /ctx/keep.txt"]
                """,
            [".dockerignore"] = "secret.txt\n*.log\n",
            ["keep.txt"] = "kept",
            ["secret.txt"] = "secret",
            ["debug.log"] = "log",
        });
        WriteTar(Path.Combine(context, "bundle.tar"), ("inner/a.txt", "in the tar"));
        await fixture.DockerOkAsync("build", "--build-arg", "FLAVOR=spicy", "-t", tag, context);
        var lines = (await fixture.DockerOkAsync("run", "--rm", tag)).Split('\n');
        Assert.Equal("flavor=spicy", lines[0]);
        Assert.Contains("a.txt", lines);
        Assert.DoesNotContain("bundle.tar", lines.SkipWhile(l => l != "/unpacked:").TakeWhile(l => l.Length > 0));
        Assert.Contains("keep.txt", lines);
        Assert.Contains("Dockerfile", lines);
        Assert.DoesNotContain("secret.txt", lines);
        Assert.DoesNotContain("debug.log", lines);
        Assert.Equal("600", lines[^1]);
    }

    [Fact]
    public async Task A_failing_RUN_fails_the_build_with_dockerds_message_and_tags_nothing()
    {
        var tag = Named("failing");
        var context = Context(new() { ["Dockerfile"] = "FROM busybox\nRUN echo before-failure\nRUN exit 3\nCMD [\"true\"]\n" });
        var (code, stdout, stderr) = await fixture.Daemon.DockerAsync("build", "--force-rm", "-t", tag, context);
        Assert.Equal(3, code);
        Assert.Contains("before-failure", stdout);
        Assert.Contains("The command '/bin/sh -c exit 3' returned a non-zero code: 3", stderr);
        Assert.Equal("", await fixture.DockerOkAsync("ps", "-aq"));
        Assert.Contains("No such image", await fixture.DockerFailsAsync("image", "inspect", tag));
        Assert.Equal(1, await ImageCountAsync());

        // Without --force-rm dockerd keeps the failed step's container for inspection.
        (code, _, _) = await fixture.Daemon.DockerAsync("build", "-t", tag, context);
        Assert.Equal(3, code);
        var kept = await fixture.DockerOkAsync("ps", "-a", "--format", "{{.Status}} {{.Command}}");
        Assert.StartsWith("Exited (3)", kept);
        Assert.Contains("exit 3", kept);
    }

    [Fact]
    public async Task A_bad_Dockerfile_is_refused_clearly_and_leaves_nothing()
    {
        var unknown = await fixture.DockerFailsAsync("build", Context(new() { ["Dockerfile"] = "FROM busybox\nFOO bar\n" }));
        Assert.Contains("dockerfile parse error on line 2: unknown instruction: FOO", unknown);
        var missing = await fixture.DockerFailsAsync("build", Context(new() { ["Dockerfile"] = "FROM busybox\nCOPY nothere.txt /\n" }));
        Assert.Contains("COPY failed: file not found in build context or excluded by .dockerignore: stat nothere.txt: file does not exist", missing);
        var url = await fixture.DockerFailsAsync("build", Context(new() { ["Dockerfile"] = "FROM busybox\nADD http://127.0.0.1:9/x /x\n" }));
        Assert.Contains("adding from a URL", url);
        Assert.Equal("", await fixture.DockerOkAsync("ps", "-aq"));
        Assert.Equal(1, await ImageCountAsync());

        var buildKit = await fixture.Http.PostAsync("/v1.47/build?version=2", new ByteArrayContent(Tar(("Dockerfile", "FROM busybox\n"))));
        await ImageDaemonFixture.AssertErrorAsync(buildKit, 400, "only the classic builder");
        var remote = await fixture.Http.PostAsync("/v1.47/build?remote=https://127.0.0.1:9/repo.git", new ByteArrayContent([]));
        await ImageDaemonFixture.AssertErrorAsync(remote, 400, "remote build contexts are not supported");
    }

    [Fact]
    public async Task Quiet_prints_only_the_id_and_a_gzip_context_with_labels_and_onbuild_triggers_builds()
    {
        var parent = Named("parent");
        var context = Context(new() { ["Dockerfile"] = "FROM busybox\nONBUILD RUN echo triggered > /trigger.txt\nLABEL stage=parent\n" });
        var id = await fixture.DockerOkAsync("build", "-q", "-t", parent, context);
        Assert.Matches("^sha256:[0-9a-f]{64}$", id);
        Assert.Equal(id, await fixture.DockerOkAsync("image", "inspect", "--format", "{{.Id}}", parent));

        var child = Named("child");
        var body = new MemoryStream();
        await using (var gzip = new System.IO.Compression.GZipStream(body, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(Tar(("Dockerfile", $"FROM {parent}\nCMD [\"cat\", \"/trigger.txt\"]\n")));
        var response = await fixture.Http.PostAsync($"/v1.47/build?t={child}&labels=%7B%22built%22%3A%22yes%22%7D", new ByteArrayContent(body.ToArray()));
        var stream = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, stream);
        Assert.Contains("\"aux\":{\"ID\":\"sha256:", stream);
        Assert.Contains("# Executing 1 build trigger", stream);
        Assert.Contains("Step 3/3 : LABEL \\\"built\\\"=\\\"yes\\\"", stream);
        Assert.Equal("triggered", await fixture.DockerOkAsync("run", "--rm", child));
        Assert.Equal("yes parent", await fixture.DockerOkAsync("image", "inspect", "--format", "{{index .Config.Labels \"built\"}} {{index .Config.Labels \"stage\"}}", child));
    }

    [Fact]
    public async Task Metadata_instructions_set_the_config_and_target_stops_at_its_stage()
    {
        var tag = Named("config");
        var context = Context(new()
        {
            ["Dockerfile"] = """
                FROM busybox AS configured
                SHELL ["/bin/sh", "-e", "-c"]
                RUN echo 'app:x:1234:1234::/home/app:/bin/sh' >> /etc/passwd && echo 'app:x:1234:' >> /etc/group
                COPY --chown=app owned.txt /home/app/
                USER app
                EXPOSE 8080 53/udp
                VOLUME /data
                STOPSIGNAL SIGINT
                HEALTHCHECK --interval=5s --retries=2 CMD true
                ENTRYPOINT ["sh", "-c"]
                CMD ["id -u; stat -c '%u:%g' /home/app/owned.txt"]
                FROM configured
                RUN exit 9
                """,
            ["owned.txt"] = "mine",
        });
        var output = await fixture.DockerOkAsync("build", "--target", "configured", "-t", tag, context);
        Assert.Contains("Step 11/11 : CMD", output);
        Assert.Equal("1234\n1234:1234", await fixture.DockerOkAsync("run", "--rm", tag));
        var config = await fixture.DockerOkAsync("image", "inspect", "--format",
            "{{.Config.User}}|{{json .Config.ExposedPorts}}|{{json .Config.Volumes}}|{{.Config.StopSignal}}|{{json .Config.Healthcheck}}|{{json .Config.Entrypoint}}", tag);
        Assert.Equal("app|{\"53/udp\":{},\"8080/tcp\":{}}|{\"/data\":{}}|SIGINT|{\"Test\":[\"CMD-SHELL\",\"true\"],\"Interval\":5000000000,\"Retries\":2}|[\"sh\",\"-c\"]", config);
        var history = await fixture.DockerOkAsync("history", "--no-trunc", "--format", "{{.CreatedBy}}", tag);
        Assert.Contains("/bin/sh -e -c echo 'app:x:1234:1234::/home/app:/bin/sh' >> /etc/passwd", history);
        Assert.Contains("/bin/sh -c #(nop)  SHELL [/bin/sh -e -c]", history);
    }

    [Fact]
    public async Task RUN_steps_get_the_builds_network_mode_and_extra_hosts()
    {
        var tag = Named("network");
        var context = Context(new()
        {
            ["Dockerfile"] = """
                FROM busybox
                RUN grep -E '^10\.1\.2\.3\s+buildhost$' /etc/hosts && ls /sys/class/net > /interfaces
                CMD ["cat", "/interfaces"]
                """,
        });
        await fixture.DockerOkAsync("build", "--network", "none", "--add-host", "buildhost:10.1.2.3", "-t", tag, context);
        Assert.Equal("lo", await fixture.DockerOkAsync("run", "--rm", "--network", "none", tag));
    }

    [Fact]
    public async Task A_FROM_image_not_in_the_store_is_pulled_with_docker_pulls_progress()
    {
        using var registry = new RegistryFixture();
        registry.CopyIn($"oci-archive:{RepoPaths.SharedImage("busybox-oci.tar")}:busybox:latest", "base/busybox:7");
        var baseImage = $"{registry.Host}/base/busybox:7";
        _images.Add(baseImage);
        var tag = Named("pulled");
        var (code, output, stderr) = await fixture.Daemon.DockerAsync("build", "-t", tag, Context(new() { ["Dockerfile"] = $"FROM {baseImage}\nCMD [\"echo\", \"from the pulled base\"]\n" }));
        // The pull leaves a repo@digest reference too, which docker images lists apart.
        if (await fixture.Daemon.DockerAsync("image", "inspect", "--format", "{{range .RepoDigests}}{{.}} {{end}}", baseImage) is (0, var digests, _))
            _images.AddRange(digests.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.True(code == 0, stderr);
        Assert.Contains($"7: Pulling from {registry.Host}/base/busybox", output);
        Assert.Contains($"Status: Downloaded newer image for {baseImage}", output);
        Assert.Equal("from the pulled base", await fixture.DockerOkAsync("run", "--rm", tag));
    }

    [Fact]
    public async Task A_FROM_image_in_a_registry_that_wants_a_login_is_pulled_with_the_login_the_client_sends()
    {
        using var registry = new RegistryFixture("builder", "build-secret");
        registry.CopyIn($"oci-archive:{RepoPaths.SharedImage("busybox-oci.tar")}:busybox:latest", "private/busybox:1");
        var baseImage = $"{registry.Host}/private/busybox:1";
        _images.Add(baseImage);
        var tag = Named("private");
        var context = Context(new() { ["Dockerfile"] = $"FROM {baseImage}\nCMD [\"echo\", \"from the private base\"]\n" });
        var refused = await fixture.DockerFailsAsync("build", "-t", tag, context);
        Assert.Contains($"registry {registry.Host}: authentication required", refused);

        // The CLI sends every login of its config.json as X-Registry-Config; written there directly (not by docker
        // login), the daemon stores none of it, so only the header can let the pull in.
        var config = Path.Combine(fixture.Daemon.DockerConfigDirectory, "config.json");
        var saved = File.Exists(config) ? File.ReadAllText(config) : null;
        Directory.CreateDirectory(fixture.Daemon.DockerConfigDirectory);
        try
        {
            var auth = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("builder:build-secret"));
            File.WriteAllText(config, System.Text.Json.JsonSerializer.Serialize(new { auths = new Dictionary<string, object> { [registry.Host] = new { auth } } }));
            var output = await fixture.DockerOkAsync("build", "-t", tag, context);
            Assert.Contains($"1: Pulling from {registry.Host}/private/busybox", output);
        }
        finally
        {
            if (saved is null)
                File.Delete(config);
            else
                File.WriteAllText(config, saved);
        }
        if (await fixture.Daemon.DockerAsync("image", "inspect", "--format", "{{range .RepoDigests}}{{.}} {{end}}", baseImage) is (0, var digests, _))
            _images.AddRange(digests.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("from the private base", await fixture.DockerOkAsync("run", "--rm", tag));
    }

    [Fact]
    public async Task Symlinks_in_the_context_resolve_inside_it_and_never_reach_the_hosts_files()
    {
        var tag = Named("links");
        var context = Context(new()
        {
            ["Dockerfile"] = "FROM busybox\nCOPY inner/file.txt /from-link.txt\nCMD [\"cat\", \"/from-link.txt\"]\n",
            ["file.txt"] = "through the link",
        });
        File.CreateSymbolicLink(Path.Combine(context, "inner"), ".");
        await fixture.DockerOkAsync("build", "-t", tag, context);
        Assert.Equal("through the link", await fixture.DockerOkAsync("run", "--rm", tag));

        var escaping = Context(new() { ["Dockerfile"] = "FROM busybox\nCOPY hostetc/hostname /leak\n" });
        File.CreateSymbolicLink(Path.Combine(escaping, "hostetc"), "/etc");
        var refused = await fixture.DockerFailsAsync("build", "-t", Named("leak"), escaping);
        Assert.Contains("COPY failed: file not found in build context", refused);
        Assert.Equal(2, await ImageCountAsync());
    }

    [Fact]
    public async Task FROM_scratch_takes_files_copied_from_another_stage()
    {
        var tag = Named("scratch");
        var context = Context(new()
        {
            ["Dockerfile"] = """
                FROM busybox AS tools
                RUN echo "made in a stage" > /made.txt
                FROM scratch
                COPY --from=tools /bin/busybox /busybox
                COPY --from=tools /made.txt /
                ENTRYPOINT ["/busybox"]
                CMD ["cat", "/made.txt"]
                """,
        });
        await fixture.DockerOkAsync("build", "-t", tag, context);
        Assert.Equal("made in a stage", await fixture.DockerOkAsync("run", "--rm", tag));
        Assert.Equal("2", await fixture.DockerOkAsync("image", "inspect", "--format", "{{len .RootFS.Layers}}", tag));
        Assert.Equal(2, await ImageCountAsync());
    }

    [Fact]
    public async Task A_Dockerfile_alone_on_stdin_builds_without_a_context()
    {
        var tag = Named("stdin");
        var (code, _, stderr) = await fixture.Daemon.DockerWithStdinAsync("FROM busybox\nRUN echo from-stdin > /stdin.txt\nCMD [\"cat\", \"/stdin.txt\"]\n", "build", "-t", tag, "-");
        Assert.True(code == 0, stderr);
        Assert.Equal("from-stdin", await fixture.DockerOkAsync("run", "--rm", tag));
    }

    /// <summary>How many images the store holds (busybox is one), intermediate ones included.</summary>
    private async Task<int> ImageCountAsync() => (await fixture.DockerOkAsync("images", "-aq")).Split('\n').Distinct().Count();

    private string Named(string prefix)
    {
        var name = ImageDaemonFixture.NewName(prefix);
        _images.Add(name);
        return name;
    }

    /// <summary>A build context directory in the fixture's scratch directory holding <paramref name="files"/>.</summary>
    private string Context(Dictionary<string, string> files)
    {
        var directory = Path.Combine(fixture.Scratch, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        foreach (var (name, content) in files)
            File.WriteAllText(Path.Combine(directory, name), content);
        return directory;
    }

    private static byte[] Tar(params (string Name, string Content)[] files)
    {
        var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content) in files)
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)), Mode = (UnixFileMode)0b110_100_100 });
        }
        return output.ToArray();
    }

    private static void WriteTar(string path, params (string Name, string Content)[] files) => File.WriteAllBytes(path, Tar(files));
}
