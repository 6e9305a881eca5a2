namespace WebEngine.Engine.Images;

/// <summary>
/// Progress of one layer (Id is the 12-hex short digest, as the docker CLI shows it) or of the whole image:
/// Status is Docker's wording ("Pulling fs layer", "Downloading", "Verifying Checksum", "Download complete",
/// "Extracting", "Pull complete", "Already exists", "Pushing", "Pushed", "Layer already exists").
/// </summary>
public sealed record ImageProgress(string Id, string Status, long Current = 0, long Total = 0)
{
    public static string ShortId(string digest) => digest.StartsWith("sha256:", StringComparison.Ordinal) ? digest[7..19] : digest;
}
