namespace WebEngine.Runtime.Seccomp;

/// <summary>The SECCOMP_RET_* value a filter returns for an OCI action name such as SCMP_ACT_ERRNO.</summary>
internal static class SeccompAction
{
    public const uint KillProcess = 0x80000000;
    public const uint KillThread = 0x00000000;
    public const uint Trap = 0x00030000;
    public const uint Errno = 0x00050000;
    public const uint Trace = 0x7ff00000;
    public const uint Log = 0x7ffc0000;
    public const uint Allow = 0x7fff0000;

    private const uint EPERM = 1;

    /// <summary>
    /// Encodes <paramref name="action"/>. <paramref name="errnoRet"/> is the errno of SCMP_ACT_ERRNO
    /// and the message of SCMP_ACT_TRACE (EPERM when absent, as runc does).
    /// </summary>
    public static uint Encode(string action, uint? errnoRet)
    {
        if (errnoRet is > 0xffff)
            throw new SeccompException($"seccomp: errnoRet {errnoRet} of {action} does not fit in 16 bits");
        return action switch
        {
            "SCMP_ACT_KILL" or "SCMP_ACT_KILL_THREAD" => KillThread,
            "SCMP_ACT_KILL_PROCESS" => KillProcess,
            "SCMP_ACT_TRAP" => Trap,
            "SCMP_ACT_ERRNO" => Errno | (errnoRet ?? EPERM),
            "SCMP_ACT_TRACE" => Trace | (errnoRet ?? EPERM),
            "SCMP_ACT_LOG" => Log,
            "SCMP_ACT_ALLOW" => Allow,
            "SCMP_ACT_NOTIFY" => throw new SeccompException(
                "seccomp: SCMP_ACT_NOTIFY is not supported by webengine-runtime (no seccomp listener support); use runc or crun for notify profiles"),
            _ => throw new SeccompException($"seccomp: unknown action \"{action}\""),
        };
    }
}
