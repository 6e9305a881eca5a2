namespace WebEngine.Engine;

/// <summary>An engine error of one of a few domain kinds; the API maps each kind to one status code.</summary>
public abstract class EngineException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The named object (image, container, layer, blob...) does not exist.</summary>
public sealed class NotFoundException(string message, Exception? inner = null) : EngineException(message, inner);

/// <summary>An object with that name already exists.</summary>
public sealed class AlreadyExistsException(string message, Exception? inner = null) : EngineException(message, inner);

/// <summary>The operation clashes with the current state (an image used by a container, a name taken).</summary>
public sealed class ConflictException(string message, Exception? inner = null) : EngineException(message, inner);

/// <summary>The request or the data it brought is malformed or not allowed (a bad reference, a malicious archive).</summary>
public sealed class InvalidArgumentException(string message, Exception? inner = null) : EngineException(message, inner);

/// <summary>A registry refused the credentials given (docker login with a wrong password).</summary>
public sealed class UnauthorizedException(string message, Exception? inner = null) : EngineException(message, inner);

/// <summary>A remote service (a registry) failed or could not be reached.</summary>
public sealed class UnavailableException(string message, Exception? inner = null) : EngineException(message, inner);

/// <summary>The object refuses the operation for good (a write into a read-only rootfs or volume).</summary>
public sealed class ForbiddenException(string message, Exception? inner = null) : EngineException(message, inner);
