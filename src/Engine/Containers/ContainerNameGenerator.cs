namespace WebEngine.Engine.Containers;

/// <summary>
/// Makes names like "brisk_hopper" for containers created without one: an adjective and the surname
/// of someone who shaped computing, from WebEngine's own word lists.
/// </summary>
public sealed class ContainerNameGenerator(Random random)
{
    private const int PlainAttempts = 8;

    public ContainerNameGenerator() : this(Random.Shared)
    {
    }

    /// <summary>Returns a name for which <paramref name="isTaken"/> is false.</summary>
    public string Generate(Func<string, bool> isTaken)
    {
        // Few names are free once thousands of containers exist; a numeric suffix keeps the search short.
        for (var attempt = 0; ; attempt++)
        {
            var name = $"{Pick(NameWords.Adjectives)}_{Pick(NameWords.Surnames)}";
            if (attempt >= PlainAttempts)
                name += random.Next(attempt * 10);
            if (ContainerName.IsValid(name) && !isTaken(name))
                return name;
        }
    }

    private string Pick(IReadOnlyList<string> words) => words[random.Next(words.Count)];
}
