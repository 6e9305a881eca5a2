using System.Text.Json;
using WebEngine.Runtime.Spec;
using static WebEngine.Runtime.Json.JsonInput;
using static WebEngine.Runtime.Json.JsonOutput;

namespace WebEngine.Runtime.Init;

/// <summary>
/// The init request on the wire between `create`/`exec` and the stage: both ends are this binary, so only the two
/// must agree. Written by hand like state.json (see <see cref="SpecReader"/>): the stage reads it on the critical path
/// of every container start.
/// </summary>
public static class InitRequestJson
{
    public static byte[] ToUtf8(InitRequest request) => Json.JsonOutput.ToUtf8(w =>
    {
        w.WriteStartObject();
        w.WriteString("id", request.Id);
        w.WriteString("bundle", request.Bundle);
        w.WriteString("rootfs", request.Rootfs);
        w.WritePropertyName("spec");
        SpecWriter.Write(w, request.Spec);
        // An init's process is the spec's own: the stage takes it from there instead of reading it twice.
        if (!ReferenceEquals(request.Process, request.Spec.Process))
        {
            w.WritePropertyName("process");
            SpecWriter.WriteProcess(w, request.Process);
        }
        StringIfSet(w, "execFifo", request.ExecFifo);
        StringIfSet(w, "consoleSocket", request.ConsoleSocket);
        w.WriteNumber("preserveFds", request.PreserveFds);
        w.WriteBoolean("noPivot", request.NoPivot);
        w.WriteBoolean("noNewKeyring", request.NoNewKeyring);
        w.WriteNumber("containerPid", request.ContainerPid);
        w.WriteBoolean("detach", request.Detach);
        w.WriteBoolean("unshareCgroupNamespace", request.UnshareCgroupNamespace);
        StringMapIfSet(w, "cgroupBinds", request.CgroupBinds);
        StringIfSet(w, "hookState", request.HookState);
        w.WriteEndObject();
    });

    public static InitRequest Read(ReadOnlySpan<byte> utf8)
    {
        const string where = "";
        var r = Open(utf8, "init request");
        var request = new InitRequest();
        Oci.Process? process = null;
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "id": request.Id = String(ref r, where, name); break;
                case "bundle": request.Bundle = String(ref r, where, name); break;
                case "rootfs": request.Rootfs = String(ref r, where, name); break;
                case "spec": request.Spec = SpecReader.ReadSpec(ref r, name); break;
                case "process": process = SpecReader.ReadProcess(ref r, name); break;
                case "execFifo": request.ExecFifo = StringOrNull(ref r, where, name); break;
                case "consoleSocket": request.ConsoleSocket = StringOrNull(ref r, where, name); break;
                case "preserveFds": request.PreserveFds = Int32(ref r, where, name); break;
                case "noPivot": request.NoPivot = Bool(ref r, where, name); break;
                case "noNewKeyring": request.NoNewKeyring = Bool(ref r, where, name); break;
                case "containerPid": request.ContainerPid = Int32(ref r, where, name); break;
                case "detach": request.Detach = Bool(ref r, where, name); break;
                case "unshareCgroupNamespace": request.UnshareCgroupNamespace = Bool(ref r, where, name); break;
                case "cgroupBinds": request.CgroupBinds = StringMap(ref r, where, name); break;
                case "hookState": request.HookState = StringOrNull(ref r, where, name); break;
                default: r.Skip(); break;
            }
        }
        Close(ref r, "init request");
        request.Process = process ?? request.Spec.Process ?? throw new JsonException("init request: no process");
        return request;
    }
}
