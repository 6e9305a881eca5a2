using System.Text.Json;
using WebEngine.Runtime.Spec;
using static WebEngine.Runtime.Json.JsonInput;

namespace WebEngine.Runtime;

/// <summary>
/// state.json, written and read by hand (see <see cref="SpecReader"/> for why not JsonSerializer). Its shape is the one
/// earlier versions wrote, so a runtime upgraded under running containers still reads their state.
/// </summary>
public static class ContainerRecordJson
{
    public static byte[] ToUtf8(ContainerRecord record) => Json.JsonOutput.ToUtf8(w =>
    {
        w.WriteStartObject();
        w.WriteString("id", record.Id);
        w.WriteString("bundle", record.Bundle);
        w.WriteString("rootfs", record.Rootfs);
        w.WriteNumber("pid", record.Pid);
        w.WriteNumber("pidStartTime", record.PidStartTime);
        w.WriteString("created", record.Created);
        Json.JsonOutput.StringIfSet(w, "cgroupPath", record.CgroupPath);
        Json.JsonOutput.StringIfSet(w, "cgroupMounts", record.CgroupMounts);
        Json.JsonOutput.StringIfSet(w, "callerCgroups", record.CallerCgroups);
        w.WriteString("owner", record.Owner);
        w.WritePropertyName("spec");
        SpecWriter.Write(w, record.Spec);
        w.WriteEndObject();
    });

    /// <summary>Reads state.json; a malformed one throws a <see cref="JsonException"/>.</summary>
    public static ContainerRecord Read(ReadOnlySpan<byte> utf8)
    {
        const string where = "";
        var r = Open(utf8, "state.json");
        var record = new ContainerRecord();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "id": record.Id = String(ref r, where, name); break;
                case "bundle": record.Bundle = String(ref r, where, name); break;
                case "rootfs": record.Rootfs = String(ref r, where, name); break;
                case "pid": record.Pid = Int32(ref r, where, name); break;
                case "pidStartTime": record.PidStartTime = UInt64(ref r, where, name); break;
                case "created": record.Created = DateTime(ref r, where, name); break;
                case "cgroupPath": record.CgroupPath = StringOrNull(ref r, where, name); break;
                case "cgroupMounts": record.CgroupMounts = StringOrNull(ref r, where, name); break;
                case "callerCgroups": record.CallerCgroups = StringOrNull(ref r, where, name); break;
                case "owner": record.Owner = String(ref r, where, name); break;
                case "spec": record.Spec = SpecReader.ReadSpec(ref r, "spec"); break;
                default: r.Skip(); break;
            }
        }
        Close(ref r, "state.json");
        return record;
    }
}
