namespace WebEngine.Engine.Shims;

/// <summary>The shim's OCI runtime failed a command (create, start, kill, exec...); the message has its output.</summary>
public sealed class ShimRuntimeException(string message) : EngineException(message);

/// <summary>A shim could not be started; the message has what the shim reported.</summary>
public sealed class ShimLaunchException(string message) : EngineException(message);
