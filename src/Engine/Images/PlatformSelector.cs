using WebEngine.Engine.Images.Model;

namespace WebEngine.Engine.Images;

/// <summary>Picks the linux manifest for this machine's architecture from an OCI index or Docker manifest list.</summary>
internal static class PlatformSelector
{
    public static OciDescriptor Select(OciIndex index, string architecture, string indexName)
    {
        var candidates = index.Manifests.Where(m => MediaTypes.IsManifest(m.MediaType) || m.MediaType == "").ToList();
        return candidates.FirstOrDefault(m => m.Platform is { } p && p.Os == "linux" && p.Architecture == architecture)
            ?? (candidates.Count == 1 && candidates[0].Platform is null ? candidates[0] : null)
            ?? throw new NotFoundException($"index {indexName} has no manifest for linux/{architecture} (platforms: " +
                string.Join(", ", index.Manifests.Select(m => m.Platform is { } p ? $"{p.Os}/{p.Architecture}" : "unknown")) + ")");
    }
}
