using WebEngine.Runtime.Lifecycle;

namespace WebEngine.Runtime.Init;

/// <summary>A stage process <see cref="StageLauncher"/> started: a child of this process, waited for with waitpid. It holds
/// nothing to release: a stage not waited for is reaped by whoever inherits it.</summary>
public sealed class StageProcess
{
    private int? _exitCode;

    internal StageProcess(int id) => Id = id;

    public int Id { get; }

    /// <summary>The exit status the shell way (128 + signal when killed), once <see cref="WaitForExit"/> returned.</summary>
    public int ExitCode => _exitCode ?? throw new InvalidOperationException($"stage {Id} has not been waited for");

    /// <summary>Waits for the stage to exit and reaps it; again, it returns at once.</summary>
    public void WaitForExit() => _exitCode ??= ProcessTree.WaitForChild(Id);
}
