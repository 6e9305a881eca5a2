namespace WebEngine.Runtime.Cgroups;

/// <summary>The v1-to-v2 value conversions runc and crun agree on (OCI runtime-spec's cgroup v2 mapping).</summary>
internal static class CgroupConversions
{
    /// <summary>cpu.shares [2, 262144] to cpu.weight [1, 10000]: 1024 shares (the default) becomes 39.</summary>
    public static ulong CpuSharesToWeight(ulong shares)
    {
        if (shares == 0)
            return 0;
        shares = Math.Clamp(shares, 2, 262144);
        return 1 + ((shares - 2) * 9999 / 262142);
    }

    /// <summary>blkio.weight [10, 1000] to io.weight [1, 10000].</summary>
    public static ulong BlkioWeightToIoWeight(ulong weight)
    {
        if (weight == 0)
            return 0;
        weight = Math.Clamp(weight, 10, 1000);
        return 1 + ((weight - 10) * 9999 / 990);
    }

    /// <summary>
    /// OCI's memory.swap is memory+swap (v1 memsw); cgroup2's memory.swap.max is swap alone.
    /// -1 means unlimited; null leaves the file alone.
    /// </summary>
    public static long? SwapToV2(long? swap, long? limit)
    {
        var memory = limit ?? 0;
        var memorySwap = swap ?? 0;
        if (memory == -1 && memorySwap == 0)
            return -1; // unlimited memory with swap unset: swap unlimited too, as on v1
        if (memorySwap is -1)
            return -1;
        if (memorySwap == 0)
            return null;
        if (memory <= 0)
            throw new CgroupException($"memory.swap {memorySwap} needs a memory limit (memory.limit is {memory})");
        if (memorySwap < memory)
            throw new CgroupException($"memory.swap {memorySwap} (memory+swap) is less than memory.limit {memory}");
        return memorySwap - memory;
    }

    /// <summary>"-1" and the like as cgroup2's "max".</summary>
    public static string LimitToV2(long value) => value < 0 ? "max" : value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Device(long major, long minor) => $"{major}:{minor}";
}
