using WebEngine.Linux;
using WebEngine.Oci;

namespace WebEngine.Runtime.Lifecycle;

/// <summary>Tells a container's status from the kernel: the init pid with its start time (against pid reuse), the exec fifo, the freezer.</summary>
public static class ContainerStatusProbe
{
    public static LifecycleStatus StatusOf(ContainerStore store, ContainerRecord record)
    {
        if (!IsAlive(record))
            return LifecycleStatus.Stopped;
        if (File.Exists(store.ExecFifoOf(record.Id)))
            return LifecycleStatus.Created;
        if (ContainerCgroups.Open(record).IsFrozen())
            return LifecycleStatus.Paused;
        return LifecycleStatus.Running;
    }

    public static bool IsAlive(ContainerRecord record)
    {
        var stat = ProcessStat.Read(record.Pid);
        return stat is { } s && s.StartTime == record.PidStartTime && s.State is not ('Z' or 'X');
    }

    /// <summary>The OCI state document of the container.</summary>
    public static ContainerState StateOf(ContainerStore store, ContainerRecord record, LifecycleStatus? status = null)
    {
        var current = status ?? StatusOf(store, record);
        return new ContainerState
        {
            OciVersion = record.OciVersion,
            Id = record.Id,
            Status = current.ToOciString(),
            Pid = current == LifecycleStatus.Stopped ? 0 : record.Pid,
            Bundle = record.Bundle,
            Annotations = record.Annotations,
        };
    }

    /// <summary>The state as `state` prints it and hooks read it on stdin: runc's shape, indented as runc does.</summary>
    public static string StateJson(ContainerState state) => System.Text.Encoding.UTF8.GetString(Json.JsonOutput.ToUtf8(w =>
    {
        w.WriteStartObject();
        w.WriteString("ociVersion", state.OciVersion);
        w.WriteString("id", state.Id);
        w.WriteString("status", state.Status);
        w.WriteNumber("pid", state.Pid);
        w.WriteString("bundle", state.Bundle);
        Json.JsonOutput.StringMapIfSet(w, "annotations", state.Annotations);
        w.WriteEndObject();
    }, indented: true));
}
