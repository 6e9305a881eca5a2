using WebEngine.Engine.Images.Content;

namespace WebEngine.Engine.Images.Layers;

/// <summary>The OCI chain id: a layer's identity together with everything below it.</summary>
public static class ChainId
{
    /// <summary>ChainID(L0) = DiffID(L0); ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)).</summary>
    public static IReadOnlyList<Digest> Compute(IReadOnlyList<Digest> diffIds)
    {
        var chain = new List<Digest>(diffIds.Count);
        foreach (var diffId in diffIds)
            chain.Add(chain.Count == 0 ? diffId : Digest.Of($"{chain[^1]} {diffId}"));
        return chain;
    }
}
