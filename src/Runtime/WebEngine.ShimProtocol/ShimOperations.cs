namespace WebEngine.ShimProtocol;

/// <summary>The request operations a shim understands (the <c>op</c> field of a <see cref="ShimRequest"/>).</summary>
public static class ShimOperations
{
    public const string Hello = "hello";
    public const string State = "state";
    public const string Start = "start";
    public const string Kill = "kill";
    public const string Wait = "wait";
    public const string Attach = "attach";
    public const string CloseStdin = "closeStdin";
    public const string Resize = "resize";
    public const string Exec = "exec";
    public const string Pause = "pause";
    public const string Resume = "resume";
    public const string Pids = "pids";
    public const string Delete = "delete";
    public const string Shutdown = "shutdown";
}
