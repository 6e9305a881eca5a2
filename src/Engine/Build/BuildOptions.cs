using WebEngine.Engine.Images;
using WebEngine.Engine.Images.Registry;

namespace WebEngine.Engine.Build;

/// <summary>docker build's options (the POST /build query the classic builder serves).</summary>
public sealed record BuildOptions
{
    public IReadOnlyList<ImageReference> Tags { get; init; } = [];

    /// <summary>The Dockerfile's path in the context.</summary>
    public string Dockerfile { get; init; } = "Dockerfile";

    /// <summary>--build-arg values; a null value means "take it from the daemon's environment", which we do not.</summary>
    public IReadOnlyDictionary<string, string?> BuildArgs { get; init; } = new Dictionary<string, string?>();

    /// <summary>--label: set on the final image.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Remove each step's container once it is committed (Docker's default).</summary>
    public bool Remove { get; init; } = true;

    /// <summary>Remove the containers of failed steps too.</summary>
    public bool ForceRemove { get; init; }

    /// <summary>Only the final image id is printed.</summary>
    public bool Quiet { get; init; }

    /// <summary>Pull every FROM image, even one the store has.</summary>
    public bool Pull { get; init; }

    /// <summary>The stage to stop after; null builds every stage.</summary>
    public string? Target { get; init; }

    public string NetworkMode { get; init; } = "";
    public IReadOnlyList<string> ExtraHosts { get; init; } = [];

    /// <summary>The client's logins by registry (X-Registry-Config, as the docker CLI sends every login it holds), for
    /// FROM pulls; a registry not named here is pulled with the daemon's stored login.</summary>
    public IReadOnlyDictionary<string, RegistryCredential> RegistryCredentials { get; init; } = new Dictionary<string, RegistryCredential>();

    /// <summary>The login <see cref="RegistryCredentials"/> holds for <paramref name="reference"/>'s registry, or null.</summary>
    public RegistryCredential? CredentialFor(ImageReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return RegistryCredentials.FirstOrDefault(c => RegistryCredentialStore.Normalize(c.Key) == reference.Domain).Value;
    }
}

/// <summary>One piece of a build's output: text for the client's terminal, the id of the image built, or a FROM's pull progress.</summary>
public sealed record BuildOutput(string? Text, string? ImageId = null, ImageProgress? Pull = null);

/// <summary>A RUN whose command exited non-zero: dockerd's message, and the exit code the client exits with.</summary>
public sealed class BuildCommandException(string message, int exitCode) : EngineException(message)
{
    public int ExitCode { get; } = exitCode;
}
