using System.Globalization;
using System.Text.Json;
using WebEngine.Engine.Bundles;
using WebEngine.Engine.Containers;
using WebEngine.Oci;

namespace WebEngine.Engine.Lifecycle;

public sealed partial class ContainerService
{
    /// <summary>
    /// docker update: validates the new host configuration, stores it with an "update" event, rewrites the bundle's
    /// resources for the next start, and applies the limits to the running container's cgroup at once.
    /// </summary>
    public async Task UpdateAsync(string idOrName, ContainerUpdate update, CancellationToken cancellationToken)
    {
        var (_, record, scope) = await LockAsync(idOrName, cancellationToken);
        using (scope)
        {
            var host = update.ApplyTo(ContainerStore.HostConfig(record));
            if (host.AutoRemove && !host.RestartPolicy.IsNone)
                throw new InvalidArgumentException("Restart policy cannot be updated because AutoRemove is enabled for the container");
            ContainerCreateValidator.Validate(ContainerStore.Config(record), host);
            var resources = await RewriteBundleResourcesAsync(record.Id, host, cancellationToken);
            if (ContainerStatusNames.HasProcess(ContainerStore.Status(record)) && record.Pid > 0)
                ApplyResources(ContainerCgroup.Of(record.Pid), resources);
            await _store.UpdateAsync(record.Id, r => r.HostConfigJson = JsonSerializer.Serialize(host, ContainerStore.Json), cancellationToken, "update");
        }
    }

    private async Task<LinuxResources> RewriteBundleResourcesAsync(string id, HostConfig host, CancellationToken cancellationToken)
    {
        LinuxResources? resources = null;
        await RewriteBundleAsync(id, (path, spec) =>
        {
            var linux = spec.Linux ?? throw new InvalidOperationException($"{path} has no linux section");
            linux.Resources = resources = ResourcesSpec.Create(host, _bundleOptions.SwapLimitSupported, linux.Resources?.Devices ?? []);
        }, cancellationToken);
        return resources!;
    }

    /// <summary>Changes the container's config.json for its next start; written beside and renamed, so a reader never sees half a file.</summary>
    private async Task RewriteBundleAsync(string id, Action<string, RuntimeSpec> change, CancellationToken cancellationToken)
    {
        var path = Path.Combine(_paths.Directory(id), BundleBuilder.ConfigFileName);
        var spec = JsonSerializer.Deserialize(await File.ReadAllBytesAsync(path, cancellationToken), OciJsonContext.Default.RuntimeSpec)
                   ?? throw new InvalidOperationException($"{path} is empty");
        change(path, spec);
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(spec, OciJsonContext.Default.RuntimeSpec), cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Writes the limits into the cgroup files, as `runc update` does (v1 and v2 names).</summary>
    private static void ApplyResources(ContainerCgroup cgroup, LinuxResources resources)
    {
        static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
        if (resources.Memory is { } memory)
        {
            if (cgroup.IsV2)
            {
                if (memory.Limit is { } limit)
                    cgroup.Write("memory", "memory.max", limit < 0 ? "max" : Number(limit));
                if (memory.Reservation is { } low)
                    cgroup.Write("memory", "memory.low", Number(low));
                if (memory.Swap is { } swap && memory.Limit is { } total)
                    cgroup.Write("memory", "memory.swap.max", swap < 0 ? "max" : Number(Math.Max(0, swap - total)));
            }
            else
            {
                // With swap accounting memory+swap must stay at or above the memory limit: lift it, set memory, then set it.
                var memsw = cgroup.FilePath("memory", "memory.memsw.limit_in_bytes");
                var swapAccounting = memsw is not null && File.Exists(memsw);
                if (memory.Swap is not null && swapAccounting)
                    cgroup.Write("memory", "memory.memsw.limit_in_bytes", "-1");
                if (memory.Limit is { } limit)
                    cgroup.Write("memory", "memory.limit_in_bytes", Number(limit));
                if (memory.Swap is { } swap && swapAccounting)
                    cgroup.Write("memory", "memory.memsw.limit_in_bytes", Number(swap));
                if (memory.Reservation is { } reservation)
                    cgroup.Write("memory", "memory.soft_limit_in_bytes", Number(reservation));
            }
        }
        if (resources.Cpu is { } cpu)
        {
            if (cgroup.IsV2)
            {
                if (cpu.Shares is { } shares and > 0)
                    cgroup.Write("cpu", "cpu.weight", Number(1 + ((long)shares - 2) * 9999 / 262142));
                if (cpu.Quota is not null || cpu.Period is not null)
                    cgroup.Write("cpu", "cpu.max", $"{(cpu.Quota is > 0 and var q ? Number(q) : "max")} {Number((long)(cpu.Period ?? 100_000))}");
            }
            else
            {
                if (cpu.Shares is { } shares and > 0)
                    cgroup.Write("cpu", "cpu.shares", Number((long)shares));
                if (cpu.Period is { } period and > 0)
                    cgroup.Write("cpu", "cpu.cfs_period_us", Number((long)period));
                if (cpu.Quota is { } quota)
                    cgroup.Write("cpu", "cpu.cfs_quota_us", Number(quota == 0 ? -1 : quota));
            }
            if (!string.IsNullOrEmpty(cpu.Cpus))
                cgroup.Write("cpuset", "cpuset.cpus", cpu.Cpus);
            if (!string.IsNullOrEmpty(cpu.Mems))
                cgroup.Write("cpuset", "cpuset.mems", cpu.Mems);
        }
        if (resources.Pids is { } pids)
            cgroup.Write("pids", "pids.max", pids.Limit is not { } max || max <= 0 ? "max" : Number(max));
    }
}
