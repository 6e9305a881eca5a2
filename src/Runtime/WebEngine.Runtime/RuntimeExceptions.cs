namespace WebEngine.Runtime;

/// <summary>An error the runtime reports to its caller as one line; the subclasses are the kinds a caller may act on.</summary>
public abstract class RuntimeException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>No container with that id exists under the state root.</summary>
public sealed class ContainerNotFoundException(string id)
    : RuntimeException($"container {id} does not exist");

/// <summary>A container with that id already exists under the state root.</summary>
public sealed class ContainerExistsException(string id)
    : RuntimeException($"container {id} already exists");

/// <summary>config.json (or an exec process) is malformed or asks for something invalid.</summary>
public sealed class InvalidSpecException(string message, Exception? inner = null)
    : RuntimeException(message, inner);

/// <summary>A command-line argument is invalid.</summary>
public sealed class InvalidArgumentException(string message) : RuntimeException(message);

/// <summary>The operation is not allowed in the container's current status (e.g. start of a running container).</summary>
public sealed class IllegalTransitionException(string id, string operation, LifecycleStatus status)
    : RuntimeException($"cannot {operation} container {id}: it is {status.ToOciString()}")
{
    public LifecycleStatus Status { get; } = status;
}

/// <summary>The container's init or exec stage failed; the message is the stage's own (e.g. "mount proc on /x/proc: EPERM").</summary>
public sealed class ContainerStageException(string message, bool programNotFound = false) : RuntimeException(message)
{
    /// <summary>The process's program was not found, which `run` and `exec` report as exit status 127.</summary>
    public bool ProgramNotFound { get; } = programNotFound;
}
