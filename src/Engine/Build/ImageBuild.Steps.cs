using System.IO.Compression;
using WebEngine.Engine.Bundles;
using WebEngine.Engine.Containers;
using WebEngine.Engine.Images.Archives;
using WebEngine.Engine.Logs;
using WebEngine.Engine.Lifecycle;
using ImageContainerConfig = WebEngine.Engine.Images.Model.ContainerConfig;

namespace WebEngine.Engine.Build;

/// <summary>The steps that commit a layer from a container: RUN, COPY, ADD and WORKDIR.</summary>
public sealed partial class ImageBuild
{
    private const uint GoModeDir = 1u << 31;

    private ContainerService Containers => _builder.Containers;

    private string Staging => Path.Combine(Images.Options.DataRoot, "tmp");

    /// <summary>
    /// RUN: the command runs in a container of the stage's image (its env plus the stage's build arguments), its
    /// output goes to the client, and the container is committed as the next layer. A non-zero exit fails the build
    /// with dockerd's message; the failed container stays unless forcerm, as with dockerd.
    /// </summary>
    private async Task RunStepAsync(BuildStage stage, DockerfileInstruction instruction, CancellationToken cancellationToken)
    {
        var command = CommandOf(stage, instruction);
        var args = stage.Args.Where(a => a.Value is not null).OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}").ToList();
        var proxies = _options.BuildArgs.Where(a => ProxyArgs.Contains(a.Key) && a.Value is not null && !stage.Args.ContainsKey(a.Key)).Select(a => $"{a.Key}={a.Value}");
        var env = args.Concat(proxies).Where(a => stage.Config.Env?.Any(e => e.StartsWith(a[..(a.IndexOf('=') + 1)], StringComparison.Ordinal)) != true).ToList();
        var createdBy = (args.Count > 0 ? $"|{args.Count} {string.Join(' ', args)} " : "") + string.Join(' ', command);
        var id = await CreateContainerAsync(stage, command, env, cancellationToken);
        var keep = true;
        try
        {
            Say($" ---> Running in {id[..12]}\n");
            var waiter = await Containers.BeginWaitAsync(id, WaitCondition.NextExit, cancellationToken);
            await Containers.StartAsync(id, cancellationToken);
            await foreach (var entry in await Containers.LogsAsync(id, new LogReadOptions { Follow = true }, cancellationToken))
                Say(entry.Text);
            var exit = await waiter.Result;
            if (exit.ExitCode != 0)
            {
                keep = !_options.ForceRemove;
                throw new BuildCommandException($"The command '{string.Join(' ', command)}' returned a non-zero code: {exit.ExitCode}", exit.ExitCode);
            }
            await CommitContainerAsync(stage, id, createdBy, cancellationToken);
            keep = !_options.Remove;
        }
        catch (OperationCanceledException)
        {
            // The client went away: as dockerd, the step's container is killed and removed whatever forcerm says.
            keep = false;
            throw;
        }
        catch (Exception e) when (e is not BuildCommandException)
        {
            keep = !_options.ForceRemove;
            throw;
        }
        finally
        {
            if (!keep)
                await RemoveContainerAsync(id, announce: true);
        }
    }

    /// <summary>COPY and ADD: the sources, as one tar of their files under the destination, extracted into a container of the stage's image.</summary>
    private async Task CopyAsync(BuildStage stage, DockerfileInstruction instruction, CancellationToken cancellationToken)
    {
        var words = stage.Words(_dockerfile.Escape);
        var arguments = instruction.JsonArguments?.Select(words.Word).ToList() ?? words.Words(instruction.Arguments);
        if (arguments.Count < 2)
            throw new InvalidArgumentException($"{instruction.Keyword} requires at least two arguments, but only one was provided. Destination could not be determined.");
        var sources = arguments[..^1];
        var destination = arguments[^1];
        if (instruction.Keyword == "ADD" && sources.FirstOrDefault(s => s.StartsWith("http://", StringComparison.Ordinal) || s.StartsWith("https://", StringComparison.Ordinal)) is { } url)
            throw new InvalidArgumentException($"ADD failed: adding from a URL ({url}) is not supported by this daemon's builder: download it into the build context or in a RUN step");
        if (instruction.Keyword == "ADD" && instruction.Flags.ContainsKey("from"))
            throw new InvalidArgumentException("ADD failed: --from is only valid with COPY");
        var absolute = destination.StartsWith('/') ? destination : (stage.Config.WorkingDir ?? "/").TrimEnd('/') + "/" + destination;
        var id = await CreateContainerAsync(stage, ["/bin/sh", "-c", "#(nop) " + instruction.Keyword], [], cancellationToken);
        try
        {
            var owner = instruction.Flags.TryGetValue("chown", out var chown) ? Owner(id, words.Word(chown)) : (0, 0);
            UnixFileMode? mode = instruction.Flags.TryGetValue("chmod", out var chmod)
                ? chmod.Length is > 0 and <= 4 && chmod.All(c => c is >= '0' and <= '7') ? (UnixFileMode)Convert.ToInt32(chmod, 8) : throw new InvalidArgumentException($"invalid chmod parameter: {chmod}")
                : null;
            var layer = new BuildLayerTar(Containers, id, owner, mode, Staging);
            await using (layer)
            {
                string kind;
                if (instruction.Flags.TryGetValue("from", out var from))
                    kind = await CopyFromImageAsync(layer, words.Word(from), sources, absolute, destination.EndsWith('/'), cancellationToken);
                else
                    kind = await CopyFromContextAsync(layer, instruction.Keyword, sources, absolute, destination.EndsWith('/'), cancellationToken);
                await layer.ExtractAsync(cancellationToken);
                await CommitContainerAsync(stage, id, $"/bin/sh -c #(nop) {instruction.Keyword} {kind}:{layer.Hash} in {destination} ", cancellationToken);
            }
        }
        finally
        {
            await RemoveContainerAsync(id);
        }
    }

    private async Task<string> CopyFromContextAsync(BuildLayerTar layer, string keyword, IReadOnlyList<string> sources, string destination, bool slash,
        CancellationToken cancellationToken)
    {
        var paths = sources.SelectMany(s => _context.Match(s, keyword)).ToList();
        var intoDirectory = slash || paths.Count > 1 || await layer.IsDirectoryAsync(destination, cancellationToken);
        if (paths.Count > 1 && !slash)
            throw new InvalidArgumentException($"When using {keyword} with more than one source file, the destination must be a directory and end with a /");
        foreach (var path in paths)
        {
            var isDirectory = Directory.Exists(path) && File.ResolveLinkTarget(path, false) is null;
            if (isDirectory)
            {
                await layer.AddDirectoryAsync(destination, path, cancellationToken);
                foreach (var entry in Directory.EnumerateFileSystemEntries(path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
                    await layer.AddHostFileAsync(destination.TrimEnd('/') + "/" + Path.GetRelativePath(path, entry), entry, cancellationToken);
                continue;
            }
            var target = intoDirectory ? destination.TrimEnd('/') + "/" + Path.GetFileName(path) : destination;
            if (keyword == "ADD" && OpenArchive(path) is { } archive)
            {
                await layer.AddArchiveAsync(intoDirectory ? destination : target, archive, cancellationToken);
                continue;
            }
            await layer.AddHostFileAsync(target, path, cancellationToken);
        }
        return paths.Count > 1 ? "multi" : Directory.Exists(paths[0]) ? "dir" : "file";
    }

    /// <summary>COPY --from: a stage's image (by name or index) or any image; its files are read through a container of it.</summary>
    private async Task<string> CopyFromImageAsync(BuildLayerTar layer, string from, IReadOnlyList<string> sources, string destination, bool slash,
        CancellationToken cancellationToken)
    {
        var stage = int.TryParse(from, out var index) && index >= 0 && index < _stages.Count ? _stages[index] : _stages.FirstOrDefault(s => s.Name == from.ToLowerInvariant());
        var imageId = stage?.ImageId ?? (await BaseImageAsync(from, cancellationToken)).Id;
        var source = await CreateContainerAsync(new BuildStage(null, imageId, new ImageContainerConfig()), ["/bin/sh", "-c", "#(nop) COPY --from"], [], cancellationToken);
        try
        {
            if (sources.Count > 1 && !slash)
                throw new InvalidArgumentException("When using COPY with more than one source file, the destination must be a directory and end with a /");
            var intoDirectory = slash || sources.Count > 1 || await layer.IsDirectoryAsync(destination, cancellationToken);
            var kind = "file";
            foreach (var path in sources)
            {
                var clean = "/" + BuildContext.Clean(path);
                ContainerPathStat stat;
                Func<Stream, CancellationToken, Task> writeTar;
                try
                {
                    (stat, writeTar) = await Containers.ArchiveAsync(source, clean, cancellationToken);
                }
                catch (NotFoundException)
                {
                    throw new InvalidArgumentException($"COPY failed: stat {clean}: file does not exist");
                }
                var isDirectory = (stat.Mode & GoModeDir) != 0;
                kind = isDirectory ? "dir" : kind;
                var target = isDirectory ? destination : intoDirectory ? destination.TrimEnd('/') + "/" + Path.GetFileName(clean.TrimEnd('/')) : destination;
                await layer.AddContainerTarAsync(target, isDirectory, writeTar, cancellationToken);
            }
            return sources.Count > 1 ? "multi" : kind;
        }
        finally
        {
            await RemoveContainerAsync(source);
        }
    }

    /// <summary>WORKDIR: the directory, relative to the current one, is created in a layer when the image lacks it.</summary>
    private async Task WorkdirAsync(BuildStage stage, string path, CancellationToken cancellationToken)
    {
        var directory = path.StartsWith('/') ? path : (stage.Config.WorkingDir ?? "/").TrimEnd('/') + "/" + path;
        directory = "/" + BuildContext.Clean(directory);
        stage.Config.WorkingDir = directory;
        var id = await CreateContainerAsync(stage, ["/bin/sh", "-c", "#(nop) WORKDIR " + directory], [], cancellationToken);
        Say($" ---> Running in {id[..12]}\n");
        try
        {
            var layer = new BuildLayerTar(Containers, id, (0, 0), null, Staging);
            await using (layer)
            {
                if (await layer.IsDirectoryAsync(directory, cancellationToken))
                {
                    await CommitConfigOnlyAsync(stage, "/bin/sh -c #(nop) WORKDIR " + directory, cancellationToken);
                    return;
                }
                await layer.AddDirectoryAsync(directory, null, cancellationToken);
                await layer.ExtractAsync(cancellationToken);
                await CommitContainerAsync(stage, id, "/bin/sh -c #(nop) WORKDIR " + directory, cancellationToken);
            }
        }
        finally
        {
            await RemoveContainerAsync(id, announce: true);
        }
    }

    /// <summary>A container of the stage's image for one step: its command, the build's network, never started unless RUN starts it.</summary>
    private async Task<string> CreateContainerAsync(BuildStage stage, IReadOnlyList<string> command, IReadOnlyList<string> env, CancellationToken cancellationToken)
    {
        var created = await Containers.CreateAsync(new ContainerCreateRequest(
            new ContainerConfig { Image = stage.ImageId, Cmd = command, Entrypoint = [], Env = env, AttachStdout = true, AttachStderr = true },
            new HostConfig { NetworkMode = _options.NetworkMode, ExtraHosts = _options.ExtraHosts }), cancellationToken);
        return created.Id;
    }

    private async Task CommitContainerAsync(BuildStage stage, string containerId, string createdBy, CancellationToken cancellationToken)
    {
        var image = await new ContainerCommitter(Images).CommitAsync(
            new ContainerCommitRequest(containerId, stage.ImageId, Clone(stage.Config), createdBy) { Author = stage.Author }, cancellationToken);
        Advance(stage, image.Id);
    }

    private async Task RemoveContainerAsync(string id, bool announce = false)
    {
        try
        {
            await Containers.RemoveAsync(id, force: true, removeVolumes: true, CancellationToken.None);
            if (announce)
                Say($" ---> Removed intermediate container {id[..12]}\n");
        }
        catch (Exception e) when (e is EngineException or IOException)
        {
            Say($"Error removing intermediate container {id[..12]}: {e.Message}\n");
        }
    }

    /// <summary>--chown's user[:group], resolved in the container's /etc/passwd and /etc/group; a user alone gives its uid as the gid.</summary>
    private (int Uid, int Gid) Owner(string containerId, string chown)
    {
        var resolved = ContainerUser.Resolve(Images.Rootfs.RootfsPath(containerId), chown, []);
        return chown.Contains(':') ? ((int)resolved.Uid, (int)resolved.Gid) : ((int)resolved.Uid, (int)resolved.Uid);
    }

    /// <summary>ADD's local archives: a tar, plain or gzip-compressed, is opened for extraction; anything else is null (copied as a file).</summary>
    private static Stream? OpenArchive(string path)
    {
        if (!File.Exists(path))
            return null;
        var gzip = false;
        using (var file = File.OpenRead(path))
        {
            gzip = file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
            file.Position = 0;
            using var content = gzip ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : (Stream)file;
            var header = new byte[512];
            try
            {
                if (content.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < 262 || !header.AsSpan(257, 5).SequenceEqual("ustar"u8))
                    return null;
            }
            catch (InvalidDataException)
            {
                return null;
            }
        }
        return gzip ? new GZipStream(File.OpenRead(path), CompressionMode.Decompress) : File.OpenRead(path);
    }
}
