using Microsoft.AspNetCore.Http;

namespace WebEngine.Api.Auth;

/// <summary>
/// The one place that says which role a request needs, from its method and path (without the /v1.NN prefix), so every
/// Docker endpoint is covered without its file saying anything: reads are for viewers, the container operations an
/// operator may do are listed here, everything else is for admins.
/// </summary>
public static class RequestClassifier
{
    /// <summary>What an operator may do to an existing container: POST /containers/{id}/&lt;verb&gt;.</summary>
    private static readonly HashSet<string> ContainerOperations = new(StringComparer.OrdinalIgnoreCase)
    {
        "start", "stop", "restart", "kill", "pause", "unpause", "attach", "exec", "resize", "wait",
    };

    /// <summary>What an operator may do to an exec instance: POST /exec/{id}/&lt;verb&gt;.</summary>
    private static readonly HashSet<string> ExecOperations = new(StringComparer.OrdinalIgnoreCase) { "start", "resize" };

    public static WebEngineAction Classify(string method, string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var first = segments.Length > 0 ? segments[0].ToLowerInvariant() : "";
        var read = HttpMethods.IsGet(method) || HttpMethods.IsHead(method);

        switch (first)
        {
            // The dashboard's sign-in page and the framework's scripts and styles it needs before anyone signs in.
            case "_framework" or "_content" or "signin" when read:
                return WebEngineAction.Anonymous;
            // A liveness probe: it tells nothing but that a Docker API answers here.
            case "_ping" when read && segments.Length == 1:
                return WebEngineAction.Anonymous;
            case "webengine" when segments.Length == 2 && segments[1].ToLowerInvariant() is "signin" or "signout":
                return WebEngineAction.Anonymous;
            // Any signed-in user manages their own tokens and password; the endpoints check whose they are.
            case "webengine" when segments.Length >= 2 && segments[1].ToLowerInvariant() is "tokens" or "me":
                return WebEngineAction.Read;
            // Even the list of users is the admins' business.
            case "webengine" when segments.Length >= 2 && segments[1].Equals("users", StringComparison.OrdinalIgnoreCase):
                return WebEngineAction.Administer;
            // The dashboard's circuit and pages, and the hubs: they check each action themselves (IWebEngineAuthorization).
            case "_blazor" or "ui" or "hubs":
                return WebEngineAction.Read;
        }

        if (read)
        {
            // A WebSocket attach writes to the container's stdin, though it starts as a GET.
            return first == "containers" && segments.Length == 4 && segments[2].Equals("attach", StringComparison.OrdinalIgnoreCase)
                && segments[3].Equals("ws", StringComparison.OrdinalIgnoreCase)
                ? WebEngineAction.OperateContainer
                : WebEngineAction.Read;
        }
        if (HttpMethods.IsPost(method) && segments.Length == 3)
        {
            if (first == "containers" && ContainerOperations.Contains(segments[2]))
                return WebEngineAction.OperateContainer;
            if (first == "exec" && ExecOperations.Contains(segments[2]))
                return WebEngineAction.OperateContainer;
        }
        return WebEngineAction.Administer;
    }
}
