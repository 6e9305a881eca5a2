using System.Formats.Tar;
using System.Globalization;
using System.Text.Json;
using WebEngine.TestSupport;

namespace WebEngine.Api.Tests.Containers;

/// <summary>The real docker CLI: docker diff and docker commit, then run, history and save of the committed image.</summary>
public sealed class ContainerCommitCliTests(BusyboxDaemonFixture fixture) : IClassFixture<BusyboxDaemonFixture>
{
    private const string MakeChanges =
        "echo hi > /newfile; mkdir -p /newdir/sub; echo x > /newdir/sub/f; echo mod >> /etc/passwd; rm /bin/ls; " +
        "rm -rf /home; mkdir /home; touch /home/z; mkdir -p /usr/sbin/deep; echo a > /tmp/t; echo v > /data/in-volume";

    [Fact]
    public async Task DiffListsTheChangesAsDockerdDoesWithoutTheMounts()
    {
        var name = BusyboxDaemonFixture.NewName("diff");
        await fixture.DockerOkAsync("run", "--name", name, "-v", "/data", "busybox", "sh", "-c", MakeChanges);

        var diff = await fixture.DockerOkAsync("diff", name);

        // What dockerd 20.10 (overlay2) lists for the same commands, in our order; the volume's mount point is there, not its content.
        Assert.Equal(
            """
            C /bin
            D /bin/ls
            A /data
            C /etc
            C /etc/passwd
            C /home
            A /home/z
            A /newdir
            A /newdir/sub
            A /newdir/sub/f
            A /newfile
            C /tmp
            A /tmp/t
            C /usr
            C /usr/sbin
            A /usr/sbin/deep
            """.ReplaceLineEndings("\n"), diff);
        using var json = JsonDocument.Parse(await fixture.Http.GetStringAsync($"containers/{name}/changes"));
        Assert.Equal(JsonValueKind.Array, json.RootElement.ValueKind);
        Assert.Equal("""{"Path":"/bin","Kind":0}""", json.RootElement[0].GetRawText());
        Assert.Equal("""{"Path":"/bin/ls","Kind":2}""", json.RootElement[1].GetRawText());
        Assert.Equal("""{"Path":"/data","Kind":1}""", json.RootElement[2].GetRawText());
        await fixture.DockerOkAsync("rm", "-v", name);
    }

    [Fact]
    public async Task DiffOfARunningContainerSeesWhatItWrites()
    {
        var name = BusyboxDaemonFixture.NewName("diff-run");
        await fixture.DockerOkAsync("run", "-d", "--name", name, "busybox", "sleep", "300");
        Assert.Equal("", await fixture.DockerOkAsync("diff", name));

        await fixture.DockerOkAsync("exec", name, "sh", "-c", "echo 1 > /written; rm /bin/cat");

        Assert.Equal("C /bin\nD /bin/cat\nA /written", await fixture.DockerOkAsync("diff", name));
        await fixture.DockerOkAsync("rm", "-f", name);
    }

    [Fact]
    public async Task CommittedImageRunsWithTheChangesItsConfigAndHistory()
    {
        var name = BusyboxDaemonFixture.NewName("commit");
        var repo = BusyboxDaemonFixture.NewName("committed");
        await fixture.DockerOkAsync("run", "--name", name, "-v", "/data", "busybox", "sh", "-c", MakeChanges);

        var id = await fixture.DockerOkAsync("commit", "-c", "CMD [\"cat\", \"/newfile\"]", "-c", "ENV A=1 B=\"x y\"", "-c", "LABEL team=web",
            "-m", "my message", "-a", "Someone <someone@example.org>", name, repo + ":v1");

        Assert.Matches("^sha256:[0-9a-f]{64}$", id);
        Assert.Equal(id, await fixture.DockerOkAsync("image", "inspect", "-f", "{{.Id}}", repo + ":v1"));
        Assert.Equal("hi", await fixture.DockerOkAsync("run", "--rm", repo + ":v1"));
        var seen = await fixture.DockerOkAsync("run", "--rm", repo + ":v1", "sh", "-c",
            "test -e /bin/ls && echo ls-back; ls /home; cat /newdir/sub/f; tail -n 1 /etc/passwd; echo \"$A|$B\"; ls /data");
        Assert.Equal("z\nx\nmod\n1|x y", seen);
        Assert.Equal("Someone <someone@example.org>|web",
            await fixture.DockerOkAsync("image", "inspect", "-f", "{{.Author}}|{{index .Config.Labels \"team\"}}", repo + ":v1"));

        var history = (await fixture.DockerOkAsync("history", "--no-trunc", "--format", "{{.ID}}|{{.CreatedBy}}|{{.Comment}}", repo + ":v1")).Split('\n');
        Assert.Equal($"{id}|sh -c {MakeChanges}|my message", history[0]);
        var busyboxHistory = (await fixture.DockerOkAsync("history", "-q", "busybox")).Split('\n');
        Assert.Equal(busyboxHistory.Length + 1, history.Length);

        await fixture.DockerOkAsync("rm", "-v", name);
        await fixture.DockerOkAsync("rmi", repo + ":v1");
    }

    [Fact]
    public async Task SavedCommittedImageCarriesTheLayerUnderItsDiffId()
    {
        var name = BusyboxDaemonFixture.NewName("commit-save");
        var repo = BusyboxDaemonFixture.NewName("saved");
        await fixture.DockerOkAsync("run", "--name", name, "busybox", "sh", "-c", "echo saved > /saved; rm /bin/ls");
        await fixture.DockerOkAsync("commit", name, repo);
        using var dir = new TempDirectory("webengine-commit-save");
        var archive = Path.Combine(dir.Path, "image.tar");

        await fixture.DockerOkAsync("save", "-o", archive, repo);

        var files = new Dictionary<string, byte[]>();
        await using (var stream = File.OpenRead(archive))
        {
            using var reader = new TarReader(stream);
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.DataStream is null)
                    continue;
                using var copy = new MemoryStream();
                entry.DataStream.CopyTo(copy);
                files[entry.Name] = copy.ToArray();
            }
        }
        using var manifest = JsonDocument.Parse(files["manifest.json"]);
        var image = manifest.RootElement[0];
        Assert.Equal($"{repo}:latest", image.GetProperty("RepoTags")[0].GetString());
        using var config = JsonDocument.Parse(files[image.GetProperty("Config").GetString()!]);
        var diffIds = config.RootElement.GetProperty("rootfs").GetProperty("diff_ids");
        var lastLayer = files[image.GetProperty("Layers").EnumerateArray().Last().GetString()!];
        Assert.Equal(diffIds[diffIds.GetArrayLength() - 1].GetString(), "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(lastLayer)));
        var names = new List<string>();
        using (var reader = new TarReader(new MemoryStream(lastLayer)))
        {
            while (reader.GetNextEntry() is { } entry)
                names.Add(entry.Name);
        }
        Assert.Equal(["bin/", "bin/.wh.ls", "saved"], names);

        await fixture.DockerOkAsync("rm", name);
        await fixture.DockerOkAsync("rmi", repo);
    }

    [Fact]
    public async Task PushedCommittedImagePullsBackWithItsLayer()
    {
        using var registry = new RegistryFixture();
        var name = BusyboxDaemonFixture.NewName("commit-push");
        var repository = $"{registry.Host}/commit/{name}";
        await fixture.DockerOkAsync("run", "--name", name, "busybox", "sh", "-c", "echo pushed > /pushed; rm /bin/ls");
        var id = await fixture.DockerOkAsync("commit", "-c", "CMD [\"cat\", \"/pushed\"]", name, repository + ":1");

        var push = await fixture.DockerOkAsync("push", repository + ":1");
        Assert.Contains($"The push refers to repository [{repository}]", push);
        await fixture.DockerOkAsync("rmi", repository + ":1");
        await fixture.DockerOkAsync("pull", repository + ":1");

        Assert.Equal(id, await fixture.DockerOkAsync("image", "inspect", "-f", "{{.Id}}", repository + ":1"));
        Assert.Equal("pushed", await fixture.DockerOkAsync("run", "--rm", repository + ":1"));
        Assert.Equal("gone", await fixture.DockerOkAsync("run", "--rm", repository + ":1", "sh", "-c", "test -e /bin/ls || echo gone"));
        await fixture.DockerOkAsync("rm", name);
        await fixture.DockerOkAsync("rmi", repository + ":1");
    }

    [Fact]
    public async Task CommitOfARunningContainerPausesItAndResumesIt()
    {
        var name = BusyboxDaemonFixture.NewName("commit-run");
        var repo = BusyboxDaemonFixture.NewName("paused");
        await fixture.DockerOkAsync("run", "-d", "--name", name, "busybox", "sh", "-c", "echo up > /state; sleep 300");
        var since = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        await fixture.DockerOkAsync("commit", name, repo + ":paused");
        await fixture.DockerOkAsync("commit", "--pause=false", name, repo + ":unpaused");

        Assert.Equal("running", await fixture.DockerOkAsync("inspect", "-f", "{{.State.Status}}", name));
        var until = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var events = await fixture.DockerOkAsync("events", "--since", since, "--until", until, "--filter", $"container={name}",
            "--filter", "event=pause", "--filter", "event=unpause", "--filter", "event=commit", "--format", "{{.Action}} {{index .Actor.Attributes \"imageRef\"}}");
        Assert.Equal($"pause \nunpause \ncommit {repo}:paused\ncommit {repo}:unpaused", events);
        var imageEvents = await fixture.DockerOkAsync("events", "--since", since, "--until", until, "--filter", "type=image", "--filter", "event=tag",
            "--format", "{{.Actor.Attributes.name}}");
        Assert.Equal([$"{repo}:paused", $"{repo}:unpaused"], imageEvents.Split('\n').Where(e => e.StartsWith(repo, StringComparison.Ordinal)));
        Assert.Equal("up", await fixture.DockerOkAsync("run", "--rm", repo + ":paused", "cat", "/state"));

        await fixture.DockerOkAsync("rm", "-f", name);
        await fixture.DockerOkAsync("rmi", repo + ":paused", repo + ":unpaused");
    }

    [Fact]
    public async Task BadInputIsRefusedAsDockerdRefusesIt()
    {
        var name = BusyboxDaemonFixture.NewName("commit-bad");
        await fixture.DockerOkAsync("run", "--name", name, "busybox", "true");
        var images = await fixture.DockerOkAsync("images", "-aq");

        var (code, _, stderr) = await fixture.Daemon.DockerAsync("commit", "nosuch-container", "x:y");
        Assert.NotEqual(0, code);
        Assert.Contains("No such container: nosuch-container", stderr);
        (code, _, stderr) = await fixture.Daemon.DockerAsync("diff", "nosuch-container");
        Assert.NotEqual(0, code);
        Assert.Contains("No such container: nosuch-container", stderr);
        (code, _, stderr) = await fixture.Daemon.DockerAsync("commit", "-c", "RUN echo", name, "x:y");
        Assert.NotEqual(0, code);
        Assert.Contains("run is not a valid change command", stderr);

        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.Http.PostAsync("commit?container=nosuch-container", null), 404, "No such container: nosuch-container");
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.Http.GetAsync("containers/nosuch-container/changes"), 404, "No such container: nosuch-container");
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.Http.PostAsync($"commit?container={name}&repo=Bad/Repo", null), 400,
            "repository name must be lowercase");
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.Http.PostAsync($"commit?container={name}&repo=ok&tag=bad%20tag", null), 400,
            "invalid tag format");
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.Http.PostAsync($"commit?container={name}&repo=ok&changes=STOPSIGNAL%20SIGKILL", null), 400,
            "stopsignal is not a valid change command");
        Assert.Equal(images, await fixture.DockerOkAsync("images", "-aq"));

        await fixture.DockerOkAsync("rm", name);
    }

    [Fact]
    public async Task ABodyConfigIsMergedUnderTheChanges()
    {
        var name = BusyboxDaemonFixture.NewName("commit-body");
        await fixture.DockerOkAsync("run", "--name", name, "busybox", "true");

        var response = await fixture.PostJsonAsync($"commit?container={name}&repo={name}&tag=t&changes=ENTRYPOINT%20%5B%22echo%22%5D",
            """{"Cmd":["from", "body"],"Env":["Z=1"],"Labels":{"l":"v"}}""");

        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 201, body);
        using var answer = JsonDocument.Parse(body);
        var id = answer.RootElement.GetProperty("Id").GetString();
        Assert.Equal(id, await fixture.DockerOkAsync("image", "inspect", "-f", "{{.Id}}", name + ":t"));
        Assert.Equal("from body", await fixture.DockerOkAsync("run", "--rm", name + ":t"));
        Assert.Equal("""["Z=1","PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]|{"l":"v"}""",
            await fixture.DockerOkAsync("image", "inspect", "-f", "{{json .Config.Env}}|{{json .Config.Labels}}", name + ":t"));

        await fixture.DockerOkAsync("rm", name);
        await fixture.DockerOkAsync("rmi", name + ":t");
    }

    [Fact]
    public async Task AFailedCommitResumesTheContainerAndLeavesNoImage()
    {
        await using var daemon = await DaemonProcess.StartWithBusyboxAsync("--WebEngine:ImageStagingLimit=65536");
        var name = BusyboxDaemonFixture.NewName("commit-fail");
        var (code, _, stderr) = await daemon.DockerAsync("run", "-d", "--name", name, "busybox", "sh", "-c", "head -c 300000 /dev/urandom > /big; sleep 300");
        Assert.True(code == 0, stderr);
        var images = (await daemon.DockerAsync("images", "-aq", "--no-trunc")).Stdout;
        var blobs = Directory.GetFiles(Path.Combine(daemon.DataRoot, "content", "blobs", "sha256")).Order().ToList();
        var layers = Directory.GetDirectories(Path.Combine(daemon.DataRoot, "layers")).Order().ToList();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await daemon.DockerAsync("diff", name)).Stdout.Trim() != "A /big" && DateTime.UtcNow < deadline)
            await Task.Delay(100);

        (code, _, stderr) = await daemon.DockerAsync("commit", name, "too-big:v1");

        Assert.NotEqual(0, code);
        Assert.Contains("commit refused", stderr);
        Assert.Equal("running", (await daemon.DockerAsync("inspect", "-f", "{{.State.Status}}", name)).Stdout.Trim());
        Assert.Equal(images, (await daemon.DockerAsync("images", "-aq", "--no-trunc")).Stdout);
        Assert.Equal(blobs, Directory.GetFiles(Path.Combine(daemon.DataRoot, "content", "blobs", "sha256")).Order());
        Assert.Equal(layers, Directory.GetDirectories(Path.Combine(daemon.DataRoot, "layers")).Order());
        Assert.Equal(0, (await daemon.DockerAsync("rm", "-f", name)).ExitCode);
    }
}
