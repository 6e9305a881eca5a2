using System.Text.Json;
using WebEngine.Oci;

namespace WebEngine.TestSupport;

/// <summary>An OCI bundle (config.json + busybox rootfs) in a temporary directory, removed on dispose.</summary>
public sealed class BusyboxBundle : IDisposable
{
    private readonly TempDirectory _directory;

    public BusyboxBundle(params string[] args)
    {
        _directory = new TempDirectory("webengine-bundle");
        BusyboxRootfs.Create(RootfsPath);
        Spec = DefaultSpec.Create(args.Length == 0 ? ["sh"] : args, terminal: false);
        WriteSpec();
    }

    public string Path => _directory.Path;
    public string RootfsPath => System.IO.Path.Combine(Path, "rootfs");
    public RuntimeSpec Spec { get; }

    /// <summary>Writes <see cref="Spec"/> to config.json; call after changing it.</summary>
    public void WriteSpec() =>
        File.WriteAllText(System.IO.Path.Combine(Path, "config.json"), JsonSerializer.Serialize(Spec, OciJsonContext.Default.RuntimeSpec));

    public void Dispose() => _directory.Dispose();
}
