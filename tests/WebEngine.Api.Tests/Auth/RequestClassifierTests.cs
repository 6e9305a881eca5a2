using WebEngine.Api.Auth;

namespace WebEngine.Api.Tests.Auth;

/// <summary>The one table of who may do what: method and path (without /v1.NN) to the action, and the action to the role.</summary>
public sealed class RequestClassifierTests
{
    [Theory]
    [InlineData("GET", "/containers/json", WebEngineAction.Read)]
    [InlineData("HEAD", "/containers/abc/archive", WebEngineAction.Read)]
    [InlineData("GET", "/containers/abc/logs", WebEngineAction.Read)]
    [InlineData("GET", "/events", WebEngineAction.Read)]
    [InlineData("GET", "/images/busybox/json", WebEngineAction.Read)]
    [InlineData("GET", "/containers/abc/attach/ws", WebEngineAction.OperateContainer)]
    [InlineData("POST", "/containers/abc/start", WebEngineAction.OperateContainer)]
    [InlineData("POST", "/containers/abc/STOP", WebEngineAction.OperateContainer)]
    [InlineData("POST", "/containers/abc/restart", WebEngineAction.OperateContainer)]
    [InlineData("POST", "/containers/abc/kill", WebEngineAction.OperateContainer)]
    [InlineData("POST", "/containers/abc/pause", WebEngineAction.OperateContainer)]
    [InlineData("POST", "/containers/abc/unpause", WebEngineAction.OperateContainer)]
    [InlineData("POST", "/containers/abc/attach", WebEngineAction.OperateContainer)]
    [InlineData("POST", "/containers/abc/exec", WebEngineAction.OperateContainer)]
    [InlineData("POST", "/containers/abc/resize", WebEngineAction.OperateContainer)]
    [InlineData("POST", "/containers/abc/wait", WebEngineAction.OperateContainer)]
    [InlineData("POST", "/exec/e1/start", WebEngineAction.OperateContainer)]
    [InlineData("POST", "/exec/e1/resize", WebEngineAction.OperateContainer)]
    [InlineData("POST", "/containers/create", WebEngineAction.Administer)]
    [InlineData("DELETE", "/containers/abc", WebEngineAction.Administer)]
    [InlineData("POST", "/containers/abc/rename", WebEngineAction.Administer)]
    [InlineData("POST", "/containers/abc/update", WebEngineAction.Administer)]
    [InlineData("PUT", "/containers/abc/archive", WebEngineAction.Administer)]
    [InlineData("POST", "/containers/prune", WebEngineAction.Administer)]
    [InlineData("POST", "/containers/abc/start/extra", WebEngineAction.Administer)]
    [InlineData("POST", "/images/create", WebEngineAction.Administer)]
    [InlineData("POST", "/volumes/create", WebEngineAction.Administer)]
    [InlineData("POST", "/networks/create", WebEngineAction.Administer)]
    [InlineData("POST", "/exec/e1/json", WebEngineAction.Administer)]
    [InlineData("GET", "/webengine/users", WebEngineAction.Administer)]
    [InlineData("POST", "/webengine/users", WebEngineAction.Administer)]
    [InlineData("DELETE", "/webengine/users/vera", WebEngineAction.Administer)]
    [InlineData("POST", "/webengine/tokens", WebEngineAction.Read)]
    [InlineData("DELETE", "/webengine/tokens/3", WebEngineAction.Read)]
    [InlineData("POST", "/webengine/me/password", WebEngineAction.Read)]
    [InlineData("POST", "/webengine/signin", WebEngineAction.Anonymous)]
    [InlineData("POST", "/webengine/signout", WebEngineAction.Anonymous)]
    [InlineData("GET", "/signin", WebEngineAction.Anonymous)]
    [InlineData("GET", "/_ping", WebEngineAction.Anonymous)]
    [InlineData("HEAD", "/_ping", WebEngineAction.Anonymous)]
    [InlineData("POST", "/_ping", WebEngineAction.Administer)]
    [InlineData("GET", "/_framework/blazor.web.js", WebEngineAction.Anonymous)]
    [InlineData("POST", "/_framework/x", WebEngineAction.Administer)]
    [InlineData("POST", "/hubs/logs/negotiate", WebEngineAction.Read)]
    [InlineData("POST", "/_blazor/negotiate", WebEngineAction.Read)]
    [InlineData("GET", "/ui/containers", WebEngineAction.Read)]
    [InlineData("GET", "/swagger/v1/swagger.json", WebEngineAction.Read)]
    [InlineData("POST", "/anything/else", WebEngineAction.Administer)]
    public void ClassifiesEachRequest(string method, string path, WebEngineAction expected) =>
        Assert.Equal(expected, RequestClassifier.Classify(method, path));

    [Theory]
    [InlineData("viewer", WebEngineAction.Read, true)]
    [InlineData("viewer", WebEngineAction.OperateContainer, false)]
    [InlineData("viewer", WebEngineAction.Administer, false)]
    [InlineData("operator", WebEngineAction.Read, true)]
    [InlineData("operator", WebEngineAction.OperateContainer, true)]
    [InlineData("operator", WebEngineAction.Administer, false)]
    [InlineData("admin", WebEngineAction.Read, true)]
    [InlineData("admin", WebEngineAction.OperateContainer, true)]
    [InlineData("admin", WebEngineAction.Administer, true)]
    public void EachRoleIncludesTheOnesBelow(string role, WebEngineAction action, bool allowed)
    {
        var user = WebEnginePrincipal.ForUser(new UserInfo(1, "someone", role, DateTime.UtcNow), AuthSchemes.Bearer);
        Assert.Equal(allowed, new WebEngineAuthorization().Can(user, action));
    }

    [Fact]
    public void NobodySignedInMayOnlyDoAnonymousThings()
    {
        var nobody = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity());
        var authorization = new WebEngineAuthorization();
        Assert.True(authorization.Can(nobody, WebEngineAction.Anonymous));
        Assert.False(authorization.Can(nobody, WebEngineAction.Read));
    }

    [Fact]
    public void TheUnixSocketPrincipalIsAdmin()
    {
        var root = WebEnginePrincipal.UnixSocketRoot();
        Assert.Equal("root (unix socket)", root.Identity!.Name);
        Assert.Equal(Roles.Admin, root.Role());
        Assert.Null(root.UserId());
        Assert.True(new WebEngineAuthorization().Can(root, WebEngineAction.Administer));
    }
}
