namespace WebEngine.Runtime.Init;

/// <summary>The hidden modes of the runtime binary: "init" (a container's first process) and "exec" (a joined process).</summary>
public static class StageEntry
{
    /// <summary>Runs the stage named by the environment, or returns null when this is an ordinary invocation.</summary>
    public static int? TryRun(string[] args)
    {
        var value = Environment.GetEnvironmentVariable(StageChannel.EnvironmentVariable);
        if (value == null || args.Length != 1 || args[0] is not ("init" or "exec"))
            return null;
        Environment.SetEnvironmentVariable(StageChannel.EnvironmentVariable, null);
        var channel = StageChannel.OpenInChild(value);
        // The C constructor clears this once it made the user namespace; still set means it is not linked in.
        if (Environment.GetEnvironmentVariable(UserNamespaceStage.CreateVariable) != null)
            return StageFailure.Report(channel, new ContainerStageException(
                "user namespaces need the C stage linked into the NativeAOT binary (publish webengine-runtime with PublishAot)"));
        return args[0] == "init" ? ContainerInit.Run(channel) : ExecStage.Run(channel);
    }
}
