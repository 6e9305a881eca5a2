namespace WebEngine.Engine.Containers;

/// <summary>WebEngine's word lists for generated container names (written for this project).</summary>
internal static class NameWords
{
    public static readonly IReadOnlyList<string> Adjectives =
    [
        "agile", "amber", "ancient", "autumn", "bold", "brave", "breezy", "bright", "brisk", "calm",
        "candid", "careful", "cheerful", "civic", "clever", "cobalt", "cosmic", "crisp", "curious", "daring",
        "dapper", "deft", "diligent", "dusky", "eager", "earnest", "electric", "elegant", "emerald", "fearless",
        "fervent", "festive", "fluent", "frosty", "gallant", "gentle", "gilded", "glowing", "graceful", "hardy",
        "hearty", "honest", "humble", "ivory", "jaunty", "jovial", "keen", "kind", "lively", "lucid",
        "lunar", "mellow", "merry", "mighty", "misty", "modest", "nimble", "noble", "orderly", "patient",
        "placid", "plucky", "polite", "prudent", "quick", "quiet", "radiant", "rapid", "resolute", "rustic",
        "sage", "scarlet", "serene", "sharp", "silent", "sincere", "snowy", "solar", "spirited", "steady",
        "stellar", "sturdy", "sunny", "swift", "tidy", "tranquil", "trusty", "vivid", "wakeful", "warm",
        "wily", "windy", "wise", "witty", "zesty",
    ];

    public static readonly IReadOnlyList<string> Surnames =
    [
        "allen", "babbage", "backus", "baran", "bartik", "bell", "berners", "borg", "bosack", "brooks",
        "cerf", "clarke", "codd", "conway", "corbato", "cray", "dahl", "dijkstra", "eckert", "engelbart",
        "estrin", "feigenbaum", "floyd", "goldberg", "goldstine", "hamming", "hartmanis", "hellman", "hoare", "holberton",
        "hopper", "huffman", "iverson", "jacobson", "kahan", "kahn", "karp", "kay", "kernighan", "kildall",
        "knuth", "lamport", "lampson", "liskov", "lovelace", "mauchly", "mccarthy", "mcilroy", "merkle", "metcalfe",
        "milner", "minsky", "moore", "naur", "nygaard", "ossanna", "perlis", "pike", "postel", "rabin",
        "raymond", "ritchie", "rivest", "sammet", "scott", "shamir", "shannon", "simon", "stallman", "stroustrup",
        "sutherland", "tanenbaum", "thompson", "torvalds", "turing", "ullman", "vonneumann", "wheeler", "wilkes", "wirth",
        "wozniak", "yao", "zuse",
    ];
}
