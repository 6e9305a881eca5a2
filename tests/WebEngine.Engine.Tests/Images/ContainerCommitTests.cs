using System.Formats.Tar;
using System.Security.Cryptography;
using WebEngine.Engine.Images;
using WebEngine.Engine.Images.Archives;
using WebEngine.Engine.Images.Content;
using WebEngine.Engine.Images.Model;
using WebEngine.Engine.Images.Rootfs;

namespace WebEngine.Engine.Tests.Images;

/// <summary>docker diff and docker commit on a container rootfs: an overlay's upper dir, or a plain copy of the layers.</summary>
public sealed class ContainerCommitTests
{
    private static readonly RootfsChange[] ExpectedChanges =
    [
        new("/bin", RootfsChangeKind.Modified),
        new("/bin/ls", RootfsChangeKind.Deleted),
        new("/etc", RootfsChangeKind.Modified),
        new("/etc/passwd", RootfsChangeKind.Modified),
        new("/home", RootfsChangeKind.Modified),
        new("/home/user", RootfsChangeKind.Deleted),
        new("/home/z", RootfsChangeKind.Added),
        new("/lnk", RootfsChangeKind.Modified),
        new("/newdir", RootfsChangeKind.Added),
        new("/newdir/sub", RootfsChangeKind.Added),
        new("/newdir/sub/f", RootfsChangeKind.Added),
        new("/newfile", RootfsChangeKind.Added),
        new("/newfile-link", RootfsChangeKind.Added),
        new("/top", RootfsChangeKind.Deleted),
        new("/usr", RootfsChangeKind.Modified),
        new("/usr/sbin", RootfsChangeKind.Modified),
        new("/usr/sbin/deep", RootfsChangeKind.Added),
        new("/var", RootfsChangeKind.Modified),
    ];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DiffListsAddedModifiedAndDeletedPathsWithTheirParents(bool forceCopy)
    {
        using var store = new ImageStoreFixture(forceCopy);
        var rootfs = await PrepareChangedContainerAsync(store, "c1");

        var changes = await store.Images.RootfsChangesAsync("c1", "base:1", CancellationToken.None);

        Assert.Equal(ExpectedChanges, changes);
        await store.Images.ReleaseRootfsAsync("c1", CancellationToken.None);
        Assert.False(Directory.Exists(rootfs));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AnUntouchedContainerHasNoChangesEvenWithTheEngineMountPointsMade(bool forceCopy)
    {
        using var store = new ImageStoreFixture(forceCopy);
        await LoadBaseAsync(store);
        var rootfs = await store.Images.PrepareRootfsAsync("c1", "base:1", CancellationToken.None);
        // What the runtime makes for the engine's own mounts is not the container's change.
        File.WriteAllText(Path.Combine(rootfs, "etc", "hosts"), "127.0.0.1 localhost\n");
        File.WriteAllText(Path.Combine(rootfs, "etc", "resolv.conf"), "");
        Directory.CreateDirectory(Path.Combine(rootfs, "dev", "pts"));

        Assert.Empty(await store.Images.RootfsChangesAsync("c1", "base:1", CancellationToken.None));
        await store.Images.ReleaseRootfsAsync("c1", CancellationToken.None);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CommitMakesAnImageWhoseContainersSeeTheChanges(bool forceCopy)
    {
        using var store = new ImageStoreFixture(forceCopy);
        await PrepareChangedContainerAsync(store, "c1");
        var parent = await store.Images.InspectAsync("base:1", CancellationToken.None);
        var config = new ContainerConfig { Cmd = ["cat", "/newfile"], Env = ["PATH=/bin"] };

        var image = await new ContainerCommitter(store.Images).CommitAsync(
            new ContainerCommitRequest("c1", parent.Id, config, "sh -c make-changes")
            {
                Tag = ImageReference.ParseNormalized("committed:v1"),
                Comment = "my message",
                Author = "Someone <someone@example.org>",
            }, CancellationToken.None);

        Assert.Equal(["committed:v1"], image.RepoTags);
        Assert.Equal(parent.Layers.Count + 1, image.Layers.Count);
        Assert.Equal(parent.Layers.Select(l => l.ChainId), image.Layers.Take(parent.Layers.Count).Select(l => l.ChainId));
        Assert.Equal(["cat", "/newfile"], image.Config.Config!.Cmd);
        Assert.Equal("Someone <someone@example.org>", image.Config.Author);
        var history = image.Config.History![^1];
        Assert.Equal(("sh -c make-changes", "my message"), (history.CreatedBy, history.Comment));
        // The new layer is a plain tar whose digest is its diff id, with the deletions as whiteout files.
        var layer = image.Layers[^1];
        Assert.Equal(MediaTypes.OciLayer, layer.MediaType);
        Assert.Equal(layer.DiffId, layer.BlobDigest);
        var names = TarNames(store.Images.Content.PathOf(Digest.Parse(layer.BlobDigest)));
        Assert.Contains("bin/.wh.ls", names);
        Assert.Contains(forceCopy ? "home/.wh.user" : "home/.wh..wh..opq", names);
        Assert.Contains("newdir/sub/f", names);
        Assert.DoesNotContain("etc/hosts", names);
        Assert.DoesNotContain("etc/group", names);

        var rootfs = await store.Images.PrepareRootfsAsync("c2", "committed:v1", CancellationToken.None);
        Assert.Equal("hi", File.ReadAllText(Path.Combine(rootfs, "newfile")));
        Assert.Equal("hello"u8.ToArray(), FileSystemInterop.Lgetxattr(Path.Combine(rootfs, "newfile"), "user.text"));
        Assert.Equal([0xff, 0x00, 0x01], FileSystemInterop.Lgetxattr(Path.Combine(rootfs, "newfile"), "user.binary"));
        Assert.Equal("root:x:0:0\nmore\n", File.ReadAllText(Path.Combine(rootfs, "etc", "passwd")));
        Assert.False(Path.Exists(Path.Combine(rootfs, "bin", "ls")));
        Assert.True(File.Exists(Path.Combine(rootfs, "bin", "sh")));
        Assert.Equal(["z"], Directory.GetFileSystemEntries(Path.Combine(rootfs, "home")).Select(Path.GetFileName));
        Assert.Equal("b", new FileInfo(Path.Combine(rootfs, "lnk")).LinkTarget);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(rootfs, "var")));
        Assert.Equal(2000, FileSystemInterop.Lstat(Path.Combine(rootfs, "newdir", "sub", "f"))!.Value.Uid);
        Assert.False(Path.Exists(Path.Combine(rootfs, "top")));
        // The hard link stays one: the layer has it as a link to the file written before it (a copied rootfs copies each name).
        Assert.Contains("newfile-link", names);
        Assert.Equal("hi", File.ReadAllText(Path.Combine(rootfs, "newfile-link")));
        if (!forceCopy)
            Assert.Equal(RootfsDiff.Stat(Path.Combine(rootfs, "newfile"))!.Value.Ino, RootfsDiff.Stat(Path.Combine(rootfs, "newfile-link"))!.Value.Ino);
        Assert.Empty(await store.Images.RootfsChangesAsync("c2", "committed:v1", CancellationToken.None));

        await store.Images.ReleaseRootfsAsync("c1", CancellationToken.None);
        await store.Images.ReleaseRootfsAsync("c2", CancellationToken.None);
    }

    [Fact]
    public async Task TheTreeIsReadInsideItselfEvenThroughAContainersSymlinks()
    {
        using var store = new ImageStoreFixture();
        await LoadBaseAsync(store);
        var rootfs = await store.Images.PrepareRootfsAsync("c1", "base:1", CancellationToken.None);
        var host = store.Scratch("host-secrets");
        File.WriteAllText(Path.Combine(host, "secret"), "host");
        // What a container can do while it runs: a directory of its tree that points at a host path.
        File.CreateSymbolicLink(Path.Combine(rootfs, "escape"), host);
        var diff = store.Images.Rootfs.DiffOf("c1", await store.Images.InspectAsync("base:1", CancellationToken.None), RootfsDiff.EngineMountPoints);

        Assert.Null(diff.TreeStat("/escape/secret"));
        Assert.Empty(diff.TreeXattrs("/escape/secret"));
        Assert.Equal(host, diff.TreeLinkTarget("/escape"));
        Assert.Equal([new LayerChange("/escape", RootfsChangeKind.Added)], diff.Compute());
        await store.Images.ReleaseRootfsAsync("c1", CancellationToken.None);
    }

    [Fact]
    public async Task CommitWithoutChangesAddsAnEmptyTarLayer()
    {
        using var store = new ImageStoreFixture();
        await LoadBaseAsync(store);
        await store.Images.PrepareRootfsAsync("c1", "base:1", CancellationToken.None);
        var parent = await store.Images.InspectAsync("base:1", CancellationToken.None);

        var image = await new ContainerCommitter(store.Images).CommitAsync(new ContainerCommitRequest("c1", parent.Id, new ContainerConfig(), "true"),
            CancellationToken.None);

        Assert.Empty(image.RepoTags);
        // Two zero blocks, as Docker's empty layer: sha256 of 1024 zero bytes.
        Assert.Equal("sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef", image.Layers[^1].DiffId);
        await store.Images.ReleaseRootfsAsync("c1", CancellationToken.None);
    }

    [Fact]
    public async Task AFailedCommitLeavesNoImageBlobOrLayer()
    {
        using var store = new ImageStoreFixture(stagingLimit: 64 << 10);
        var rootfs = await PrepareChangedContainerAsync(store, "c1");
        File.WriteAllBytes(Path.Combine(rootfs, "big"), RandomNumberGenerator.GetBytes(256 << 10));
        var parent = await store.Images.InspectAsync("base:1", CancellationToken.None);
        var blobs = store.Images.Content.List().Select(b => b.Digest.ToString()).ToList();
        var layers = store.LayerDirectories();

        var error = await Assert.ThrowsAsync<InvalidArgumentException>(() => new ContainerCommitter(store.Images).CommitAsync(
            new ContainerCommitRequest("c1", parent.Id, new ContainerConfig(), "sh") { Tag = ImageReference.ParseNormalized("failed:v1") },
            CancellationToken.None));

        Assert.Contains("commit refused", error.Message);
        Assert.Equal(blobs.Order(), store.Images.Content.List().Select(b => b.Digest.ToString()).Order());
        Assert.Equal(layers.Order(), store.LayerDirectories().Order());
        Assert.Equal([parent.Id], (await store.Images.ListAsync(CancellationToken.None)).Select(i => i.Id));
        Assert.Empty(Directory.GetFiles(Path.Combine(store.DataRoot, "content", "ingest")));
        await store.Images.ReleaseRootfsAsync("c1", CancellationToken.None);
    }

    private static async Task LoadBaseAsync(ImageStoreFixture store)
    {
        var layout = store.Scratch("layout");
        new OciLayoutBuilder(layout)
            .AddLayer(t => t.Dir("bin").File("bin/ls", "ls").File("bin/sh", "sh").Dir("etc").File("etc/passwd", "root:x:0:0\n")
                .File("etc/group", "root:x:0:\n").Dir("home").Dir("home/user").File("home/user/.profile", "p").Dir("usr").Dir("usr/sbin")
                .File("usr/sbin/tool", "t").Dir("var").Dir("proc").Symlink("lnk", "a").Dir("gone").File("gone/file", "g").File("top", "t"))
            .AddLayer(t => t.File(".wh.gone", ""), "none")
            .Build("base:1");
        await new ImageArchiveLoader(store.Images).LoadAsync(layout, null, CancellationToken.None);
    }

    /// <summary>A container of base:1 with a change of each kind made through its rootfs, as the container's processes would.</summary>
    private static async Task<string> PrepareChangedContainerAsync(ImageStoreFixture store, string containerId)
    {
        await LoadBaseAsync(store);
        var rootfs = await store.Images.PrepareRootfsAsync(containerId, "base:1", CancellationToken.None);
        File.WriteAllText(Path.Combine(rootfs, "newfile"), "hi");
        FileSystemInterop.Lsetxattr(Path.Combine(rootfs, "newfile"), "user.text", "hello"u8.ToArray());
        FileSystemInterop.Lsetxattr(Path.Combine(rootfs, "newfile"), "user.binary", [0xff, 0x00, 0x01]);
        FileSystemInterop.Link(Path.Combine(rootfs, "newfile"), Path.Combine(rootfs, "newfile-link"));
        File.Delete(Path.Combine(rootfs, "top"));
        Directory.CreateDirectory(Path.Combine(rootfs, "newdir", "sub"));
        File.WriteAllText(Path.Combine(rootfs, "newdir", "sub", "f"), "x");
        FileSystemInterop.Lchown(Path.Combine(rootfs, "newdir", "sub", "f"), 2000, 2000);
        File.AppendAllText(Path.Combine(rootfs, "etc", "passwd"), "more\n");
        File.WriteAllText(Path.Combine(rootfs, "etc", "hosts"), "127.0.0.1 localhost\n");
        File.Delete(Path.Combine(rootfs, "bin", "ls"));
        Directory.Delete(Path.Combine(rootfs, "home"), recursive: true);
        Directory.CreateDirectory(Path.Combine(rootfs, "home"));
        File.WriteAllText(Path.Combine(rootfs, "home", "z"), "z");
        Directory.CreateDirectory(Path.Combine(rootfs, "usr", "sbin", "deep"));
        File.SetUnixFileMode(Path.Combine(rootfs, "var"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.Delete(Path.Combine(rootfs, "lnk"));
        File.CreateSymbolicLink(Path.Combine(rootfs, "lnk"), "b");
        return rootfs;
    }

    private static List<string> TarNames(string path)
    {
        using var file = File.OpenRead(path);
        using var reader = new TarReader(file);
        var names = new List<string>();
        while (reader.GetNextEntry() is { } entry)
            names.Add(entry.Name);
        return names;
    }
}
