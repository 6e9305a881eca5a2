using System.Globalization;

namespace WebEngine.Engine.Containers;

/// <summary>Linux signal names as StopSignal and kill accept them: "SIGTERM", "TERM" or "15".</summary>
public static class Signals
{
    private static readonly Dictionary<string, int> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ABRT"] = 6, ["ALRM"] = 14, ["BUS"] = 7, ["CHLD"] = 17, ["CLD"] = 17, ["CONT"] = 18, ["FPE"] = 8,
        ["HUP"] = 1, ["ILL"] = 4, ["INT"] = 2, ["IO"] = 29, ["IOT"] = 6, ["KILL"] = 9, ["PIPE"] = 13,
        ["POLL"] = 29, ["PROF"] = 27, ["PWR"] = 30, ["QUIT"] = 3, ["SEGV"] = 11, ["STKFLT"] = 16,
        ["STOP"] = 19, ["SYS"] = 31, ["TERM"] = 15, ["TRAP"] = 5, ["TSTP"] = 20, ["TTIN"] = 21, ["TTOU"] = 22,
        ["URG"] = 23, ["USR1"] = 10, ["USR2"] = 12, ["VTALRM"] = 26, ["WINCH"] = 28, ["XCPU"] = 24, ["XFSZ"] = 25,
    };

    private const int RealtimeMin = 34;
    private const int RealtimeMax = 64;

    /// <summary>The signal number, or an invalid-argument error naming the value.</summary>
    public static int Parse(string value)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            return number is > 0 and <= RealtimeMax ? number : throw Invalid(value);
        var name = value.StartsWith("SIG", StringComparison.OrdinalIgnoreCase) ? value[3..] : value;
        if (ByName.TryGetValue(name, out number))
            return number;
        // RTMIN+n and RTMAX-n name the real-time signals.
        if (name.StartsWith("RTMIN", StringComparison.OrdinalIgnoreCase))
            return Offset(name[5..], RealtimeMin, +1, value);
        if (name.StartsWith("RTMAX", StringComparison.OrdinalIgnoreCase))
            return Offset(name[5..], RealtimeMax, -1, value);
        throw Invalid(value);
    }

    private static int Offset(string rest, int baseSignal, int direction, string value)
    {
        if (rest.Length == 0)
            return baseSignal;
        var sign = direction > 0 ? '+' : '-';
        if (rest[0] != sign || !int.TryParse(rest[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            throw Invalid(value);
        var signal = baseSignal + direction * n;
        return signal is >= RealtimeMin and <= RealtimeMax ? signal : throw Invalid(value);
    }

    private static InvalidArgumentException Invalid(string value) => new($"Invalid signal: {value}");
}
