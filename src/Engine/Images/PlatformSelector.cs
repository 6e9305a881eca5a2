using WebEngine.Engine.Images.Model;

namespace WebEngine.Engine.Images;

/// <summary>Picks the manifest for a platform from an OCI index or Docker manifest list, as Docker's pull does.</summary>
internal static class PlatformSelector
{
    /// <summary>
    /// The entry whose platform matches exactly, else the best older variant the platform accepts (arm); an index
    /// of one entry without a platform is taken as it is. Otherwise Docker's "no matching manifest" error.
    /// </summary>
    public static OciDescriptor Select(OciIndex index, ImagePlatform platform)
    {
        var candidates = index.Manifests.Where(m => MediaTypes.IsManifest(m.MediaType) || m.MediaType == "").ToList();
        var withPlatform = candidates.Where(m => m.Platform is not null).Select(m => (Descriptor: m, Platform: ImagePlatform.Of(m.Platform!))).ToList();
        return withPlatform.FirstOrDefault(m => m.Platform == platform).Descriptor
            ?? withPlatform.Where(m => platform.Accepts(m.Platform)).OrderByDescending(m => m.Platform.Variant, StringComparer.Ordinal).FirstOrDefault().Descriptor
            ?? (candidates.Count == 1 && candidates[0].Platform is null ? candidates[0] : null)
            ?? throw new NotFoundException($"no matching manifest for {platform} in the manifest list entries");
    }
}
