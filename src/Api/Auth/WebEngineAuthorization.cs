using System.Security.Claims;

namespace WebEngine.Api.Auth;

/// <summary>The role check the API enforces, for the dashboard to ask before it shows a button.</summary>
public interface IWebEngineAuthorization
{
    /// <summary>True when <paramref name="user"/> has the role <paramref name="action"/> needs.</summary>
    bool Can(ClaimsPrincipal user, WebEngineAction action);

    /// <summary>The action a Docker API request is (method and path without the /v1.NN prefix).</summary>
    WebEngineAction Classify(string method, string path);
}

public sealed class WebEngineAuthorization : IWebEngineAuthorization
{
    public bool Can(ClaimsPrincipal user, WebEngineAction action) =>
        action.RequiredRole() is not { } role || (user.Identity?.IsAuthenticated == true && user.IsInRole(role));

    public WebEngineAction Classify(string method, string path) => RequestClassifier.Classify(method, path);
}
