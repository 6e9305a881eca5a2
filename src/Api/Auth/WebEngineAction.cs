namespace WebEngine.Api.Auth;

/// <summary>What a request or a dashboard button does, in the terms the roles are defined in.</summary>
public enum WebEngineAction
{
    /// <summary>Reachable without signing in (the sign-in form, the framework's static files).</summary>
    Anonymous,

    /// <summary>Read anything: lists, inspect, logs, stats, events.</summary>
    Read,

    /// <summary>Start, stop, restart, kill, pause, unpause, attach, exec, resize or wait on an existing container.</summary>
    OperateContainer,

    /// <summary>Create or remove containers; images, volumes, networks, users, anything else that changes state.</summary>
    Administer,
}

public static class WebEngineActions
{
    /// <summary>The lowest role allowed to do <paramref name="action"/>; null when no sign-in is needed.</summary>
    public static string? RequiredRole(this WebEngineAction action) => action switch
    {
        WebEngineAction.Anonymous => null,
        WebEngineAction.Read => Roles.Viewer,
        WebEngineAction.OperateContainer => Roles.Operator,
        _ => Roles.Admin,
    };
}
