using System.Formats.Tar;
using System.Text;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Engine.Images.Rootfs;

/// <summary>
/// docker commit's new layer: a tar of the container's changes in the OCI layer form. Added and modified entries
/// carry their owner, mode, mtime, xattrs (overlay's own left out) and data, a second name of a file already written
/// is a hard link; a deletion is a `.wh.&lt;name&gt;` whiteout file and an opaque directory gets `.wh..wh..opq`.
/// </summary>
internal static class ContainerLayerTar
{
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueMarker = ".wh..wh..opq";

    public static async Task WriteAsync(RootfsDiff diff, IReadOnlyList<LayerChange> changes, Stream output, CancellationToken cancellationToken)
    {
        var entries = 0;
        await using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            using var root = ConfinedPathInterop.OpenHostPath(diff.TreeRoot, directory: true)
                             ?? throw new ConflictException("the container's root file system is gone");
            var written = new Dictionary<(ulong Dev, ulong Ino), string>();
            foreach (var change in changes.Where(c => !c.HiddenByOpaque))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var name = change.Path.TrimStart('/');
                if (change.Kind == RootfsChangeKind.Deleted)
                {
                    var parent = Path.GetDirectoryName(name);
                    await writer.WriteEntryAsync(Marker(string.IsNullOrEmpty(parent) ? WhiteoutPrefix + name : $"{parent}/{WhiteoutPrefix}{Path.GetFileName(name)}"), cancellationToken);
                    entries++;
                    continue;
                }
                if (diff.TreeStat(change.Path) is not { } status)
                    continue; // removed since the diff: a container that was not paused
                if (await WriteEntryAsync(writer, root, diff, change.Path, status, written, cancellationToken))
                    entries++;
                if (change.Opaque)
                {
                    await writer.WriteEntryAsync(Marker($"{name}/{OpaqueMarker}"), cancellationToken);
                    entries++;
                }
            }
        }
        // TarWriter ends the archive only after an entry; a layer without one is still a tar (Docker's: two zero blocks).
        if (entries == 0)
            await output.WriteAsync(new byte[1024], cancellationToken);
    }

    private static PaxTarEntry Marker(string name) =>
        new(TarEntryType.RegularFile, name) { Mode = UnixFileMode.None, ModificationTime = DateTimeOffset.UnixEpoch };

    /// <summary>Writes the entry; false when there was nothing to write (a socket, or a file gone meanwhile).</summary>
    private static async Task<bool> WriteEntryAsync(TarWriter writer, Microsoft.Win32.SafeHandles.SafeFileHandle root, RootfsDiff diff, string path,
        ConfinedFileStat status, Dictionary<(ulong Dev, ulong Ino), string> written, CancellationToken cancellationToken)
    {
        var type = status.Type == ContainerFileSystem.RegularType && written.ContainsKey((status.Dev, status.Ino))
            ? TarEntryType.HardLink
            : ContainerArchive.TarTypeOf(status.Type);
        if (type is null)
            return false; // a socket: tar has no such entry
        var name = path.TrimStart('/');
        var entry = new PaxTarEntry(type.Value, type == TarEntryType.Directory ? name + "/" : name, PaxXattrs(diff.TreeXattrs(path)))
        {
            Mode = (UnixFileMode)(status.Mode & 0xFFF),
            Uid = status.Uid,
            Gid = status.Gid,
            ModificationTime = status.Mtime,
        };
        switch (type)
        {
            case TarEntryType.SymbolicLink:
                entry.LinkName = diff.TreeLinkTarget(path) ?? "";
                break;
            case TarEntryType.HardLink:
                entry.LinkName = written[(status.Dev, status.Ino)];
                break;
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice:
                entry.DeviceMajor = status.RdevMajor;
                entry.DeviceMinor = status.RdevMinor;
                break;
        }
        if (type != TarEntryType.RegularFile)
        {
            await writer.WriteEntryAsync(entry, cancellationToken);
            return true;
        }
        // Opened below the tree's root without following a symlink: a container that swaps a file for a link
        // while it is committed (not paused) cannot make us read a host file.
        using var handle = ConfinedPathInterop.Openat2(root, name, ConfinedPathInterop.ORdonly | ConfinedPathInterop.ONofollow,
            ConfinedPathInterop.ResolveInRoot | ConfinedPathInterop.ResolveNoMagicLinks);
        if (handle is null)
            return false;
        await using var data = new FileStream(handle, FileAccess.Read, bufferSize: 0);
        entry.DataStream = data;
        await writer.WriteEntryAsync(entry, cancellationToken);
        written[(status.Dev, status.Ino)] = name;
        return true;
    }

    /// <summary>
    /// The entry's xattrs as PAX records: SCHILY.xattr (what Docker and containerd read) for text values, LIBARCHIVE.xattr
    /// (base64) for binary ones such as security.capability, which the PAX writer's UTF-8 strings cannot carry raw.
    /// </summary>
    private static Dictionary<string, string> PaxXattrs(IReadOnlyList<(string Name, byte[] Value)> xattrs)
    {
        var records = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in xattrs)
        {
            if (name.StartsWith("trusted.overlay.", StringComparison.Ordinal))
                continue;
            try
            {
                records["SCHILY.xattr." + name] = StrictUtf8.GetString(value);
            }
            catch (DecoderFallbackException)
            {
                records["LIBARCHIVE.xattr." + Uri.EscapeDataString(name)] = Convert.ToBase64String(value);
            }
        }
        return records;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
