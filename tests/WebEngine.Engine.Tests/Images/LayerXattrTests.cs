using System.Diagnostics;
using WebEngine.Engine.Images;
using WebEngine.Engine.Images.Archives;
using WebEngine.Engine.Images.Content;
using WebEngine.TestSupport;

namespace WebEngine.Engine.Tests.Images;

public sealed class LayerXattrTests
{
    // What `setcap cap_setuid,cap_net_raw+ep` writes: vfs_cap_data revision 2 with the effective flag, permitted bits 7
    // and 13. The 0x80 byte is not valid UTF-8, which is what breaks a decoder that treats PAX values as text.
    private static readonly byte[] Capability = [0x01, 0, 0, 0x02, 0x80, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    private static readonly byte[] BinaryUserValue = [0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0x01];
    private static readonly byte[] LibarchiveValue = [0x00, 0x9f, 0x92, 0x96, 0xe0];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BinaryXattrsFromGnuTarSurviveUnpackTheContainerRootfsAndSave(bool forceCopy)
    {
        using var store = new ImageStoreFixture(forceCopy);
        var layout = store.Scratch("layout");
        new OciLayoutBuilder(layout)
            .AddRawLayer(await GnuTarWithXattrsAsync(store.Scratch("tree")))
            // libarchive's form: the name URL-encoded, the value in base64 without padding.
            .AddLayer(t =>
            {
                // A global header (git archive writes one) is a member of its own between the files.
                t.WriteEntry(new System.Formats.Tar.PaxGlobalExtendedAttributesTarEntry(new Dictionary<string, string> { ["comment"] = "layer two" }));
                t.File("bin/other", "o", pax: [new("LIBARCHIVE.xattr.user.odd%3Dname", Convert.ToBase64String(LibarchiveValue).TrimEnd('='))]);
            })
            .Build("caps:1");
        var image = Assert.Single(await new ImageArchiveLoader(store.Images).LoadAsync(layout, null, CancellationToken.None));

        var lower = store.Images.Layers.DiffPath(Digest.Parse(image.Layers[0].ChainId));
        AssertXattrs(Path.Combine(lower, "bin", "tool"));
        var rootfs = await store.Images.PrepareRootfsAsync("caps", "caps:1", CancellationToken.None);
        try
        {
            Assert.Equal(!forceCopy, store.Images.Rootfs.IsOverlayMounted("caps"));
            AssertXattrs(Path.Combine(rootfs, "bin", "tool"));
            Assert.Equal(LibarchiveValue, FileSystemInterop.Lgetxattr(Path.Combine(rootfs, "bin", "other"), "user.odd=name"));
        }
        finally
        {
            await store.Images.ReleaseRootfsAsync("caps", CancellationToken.None);
        }

        // docker save carries the layers as they came, so a load elsewhere restores the same bytes.
        var archive = Path.Combine(store.Scratch("out"), "caps.tar");
        await using (var output = File.Create(archive))
            await new ImageArchiveWriter(store.Images).SaveAsync(["caps:1"], output, CancellationToken.None);
        using var other = new ImageStoreFixture();
        var loaded = Assert.Single(await new ImageArchiveLoader(other.Images).LoadAsync(archive, null, CancellationToken.None));
        AssertXattrs(Path.Combine(other.Images.Layers.DiffPath(Digest.Parse(loaded.Layers[0].ChainId)), "bin", "tool"));
    }

    private static void AssertXattrs(string path)
    {
        Assert.Equal(Capability, FileSystemInterop.Lgetxattr(path, "security.capability"));
        Assert.Equal(BinaryUserValue, FileSystemInterop.Lgetxattr(path, "user.binary"));
        Assert.Equal("plain"u8.ToArray(), FileSystemInterop.Lgetxattr(path, "user.text"));
        // The owner and mode were applied first: chown would have dropped the capability.
        var status = FileSystemInterop.Lstat(path)!.Value;
        Assert.Equal(1000, status.Uid);
        Assert.Equal(0b111_101_101u, status.Mode & 0xFFF);
    }

    /// <summary>A layer as GNU tar writes it from a tree whose file carries binary xattrs (SCHILY.xattr records).</summary>
    private static async Task<byte[]> GnuTarWithXattrsAsync(string tree)
    {
        var tar = Prerequisites.RequireProgram("tar", "tar");
        var tool = Path.Combine(tree, "bin", "tool");
        Directory.CreateDirectory(Path.GetDirectoryName(tool)!);
        await File.WriteAllTextAsync(tool, "#!/bin/sh\n");
        FileSystemInterop.Lchown(tool, 1000, 1000);
        FileSystemInterop.Chmod(tool, 0b111_101_101);
        FileSystemInterop.Lsetxattr(tool, "security.capability", Capability);
        FileSystemInterop.Lsetxattr(tool, "user.binary", BinaryUserValue);
        FileSystemInterop.Lsetxattr(tool, "user.text", "plain"u8.ToArray());
        var output = tree + ".tar";
        var psi = new ProcessStartInfo(tar) { RedirectStandardError = true };
        foreach (var arg in new[] { "--xattrs", "--xattrs-include=*", "--format=posix", "-C", tree, "-cf", output, "bin" })
            psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"tar failed: {stderr}");
        return await File.ReadAllBytesAsync(output);
    }
}
