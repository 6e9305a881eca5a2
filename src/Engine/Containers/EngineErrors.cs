namespace WebEngine.Engine.Containers;

/// <summary>The few kinds of domain error; the API turns each into one status code at its edge.</summary>
public enum EngineErrorKind
{
    InvalidArgument,
    Conflict,
    NotFound,
}

/// <summary>A domain error of the engine: its message is meant for the user, its kind for the API edge.</summary>
public abstract class EngineException(string message, Exception? inner = null) : Exception(message, inner)
{
    public abstract EngineErrorKind Kind { get; }
}

/// <summary>The request is malformed or asks for something that cannot be done (HTTP 400).</summary>
public sealed class InvalidArgumentException(string message, Exception? inner = null) : EngineException(message, inner)
{
    public override EngineErrorKind Kind => EngineErrorKind.InvalidArgument;
}

/// <summary>The request conflicts with the current state, e.g. a name in use (HTTP 409).</summary>
public sealed class ConflictException(string message, Exception? inner = null) : EngineException(message, inner)
{
    public override EngineErrorKind Kind => EngineErrorKind.Conflict;
}

/// <summary>Something the request names does not exist (HTTP 404).</summary>
public sealed class NotFoundException(string message, Exception? inner = null) : EngineException(message, inner)
{
    public override EngineErrorKind Kind => EngineErrorKind.NotFound;
}
