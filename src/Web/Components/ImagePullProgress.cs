using WebEngine.Engine.Images;

namespace WebEngine.Web.Components;

/// <summary>One layer of a pull as the images page draws it: Docker's status words and a bar for the current phase.</summary>
public sealed record LayerPullProgress(string Id, string Status, long Current, long Total)
{
    /// <summary>0 to 100: bytes of the phase (downloading, extracting) done, or 100 once the layer is there.</summary>
    public double Percent => Status switch
    {
        "Pull complete" or "Already exists" or "Download complete" or "Verifying Checksum" => 100,
        _ when Total > 0 => Math.Clamp(100.0 * Current / Total, 0, 100),
        _ => 0,
    };

    public bool Complete => Status is "Pull complete" or "Already exists";
}

/// <summary>
/// A pull's progress, fed by the engine's <see cref="Engine.Images.Registry.ImagePuller"/> reports from its download threads: one row per layer
/// in the order they were first reported, the last line about the whole image, and the error if the pull failed.
/// <see cref="Changed"/> fires after every report, on the reporting thread.
/// </summary>
public sealed class ImagePullProgress(string reference) : IProgress<ImageProgress>
{
    private readonly Lock _gate = new();
    private readonly List<LayerPullProgress> _layers = [];

    public event Action? Changed;

    public string Reference { get; } = reference;

    /// <summary>The last report about the image itself ("latest: Pulling from library/busybox", "Status: Downloaded newer image for …").</summary>
    public string? Status { get; private set; }

    /// <summary>Why the pull failed, in the engine's (and so the API's) words.</summary>
    public string? Error { get; private set; }

    public bool Finished { get; private set; }

    public IReadOnlyList<LayerPullProgress> Layers
    {
        get
        {
            lock (_gate)
                return [.. _layers];
        }
    }

    public void Report(ImageProgress value)
    {
        lock (_gate)
        {
            if (IsAboutTheImage(value.Status))
                Status = value.Id.Length > 0 ? $"{value.Id}: {value.Status}" : value.Status;
            else
            {
                var layer = new LayerPullProgress(value.Id, value.Status, value.Current, value.Total);
                var index = _layers.FindIndex(l => l.Id == value.Id);
                if (index < 0)
                    _layers.Add(layer);
                else
                    _layers[index] = layer;
            }
        }
        Changed?.Invoke();
    }

    public void Succeed()
    {
        Finished = true;
        Changed?.Invoke();
    }

    public void Fail(string error)
    {
        Error = error;
        Finished = true;
        Changed?.Invoke();
    }

    private static bool IsAboutTheImage(string status) =>
        status.StartsWith("Pulling from ", StringComparison.Ordinal) || status.StartsWith("Digest: ", StringComparison.Ordinal)
        || status.StartsWith("Status: ", StringComparison.Ordinal);
}
