using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using WebEngine.Api.Auth;
using WebEngine.Engine;

namespace WebEngine.Web.Components;

/// <summary>
/// The users and API tokens pages' actions for the signed-in user, with the REST API's rules: users are the admins'
/// (<see cref="IWebEngineAuthorization"/>), tokens their owner's or an admin's (<see cref="TokenOwner"/>), checked here
/// on the server before <see cref="UserService"/> and <see cref="ApiTokenService"/> run.
/// </summary>
public sealed class UserAdministration(UserService users, ApiTokenService tokens, AuthenticationStateProvider authentication,
    IWebEngineAuthorization authorization)
{
    public async Task<IReadOnlyList<UserInfo>> ListUsersAsync(CancellationToken cancellationToken)
    {
        await DemandAdminAsync();
        return await users.ListAsync(cancellationToken);
    }

    public async Task<UserInfo> CreateUserAsync(string name, string password, string role, CancellationToken cancellationToken)
    {
        await DemandAdminAsync();
        return await users.CreateAsync(name, password, role, cancellationToken);
    }

    /// <summary>Changes the role and/or the password; the user's sign-in sessions end.</summary>
    public async Task<UserInfo> UpdateUserAsync(string name, string? password, string? role, CancellationToken cancellationToken)
    {
        await DemandAdminAsync();
        return await users.UpdateAsync(name, password, role, cancellationToken);
    }

    /// <summary>Removes a user and their tokens; never the signed-in user (the page would lose its own session mid-click).</summary>
    public async Task DeleteUserAsync(string name, CancellationToken cancellationToken)
    {
        var user = await DemandAdminAsync();
        if (name == user.Identity?.Name)
            throw new ConflictException($"user {name} is you: another admin must remove this user");
        await users.DeleteAsync(name, cancellationToken);
    }

    /// <summary>The tokens of <paramref name="owner"/> (null: the signed-in user's own).</summary>
    public async Task<IReadOnlyList<ApiTokenInfo>> ListTokensAsync(string? owner, CancellationToken cancellationToken) =>
        await tokens.ListAsync(TokenOwner.Resolve(await SignedInAsync(), owner), cancellationToken);

    /// <summary>A new token for <paramref name="owner"/> (null: the signed-in user); its secret is returned only here.</summary>
    public async Task<(ApiTokenInfo Token, string Secret)> CreateTokenAsync(string? owner, string name, CancellationToken cancellationToken) =>
        await tokens.CreateAsync(TokenOwner.Resolve(await SignedInAsync(), owner), name, cancellationToken);

    public async Task RevokeTokenAsync(long id, CancellationToken cancellationToken) =>
        await tokens.RevokeAsync(id, TokenOwner.RevocationScope(await SignedInAsync()), cancellationToken);

    private async Task<ClaimsPrincipal> SignedInAsync()
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        if (!authorization.Can(user, WebEngineAction.Read))
            throw new PermissionDeniedException(AccessMiddleware.ForbiddenMessage(user, WebEngineAction.Read));
        return user;
    }

    private async Task<ClaimsPrincipal> DemandAdminAsync()
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        if (!authorization.Can(user, WebEngineAction.Administer))
            throw new PermissionDeniedException(AccessMiddleware.ForbiddenMessage(user, WebEngineAction.Administer));
        return user;
    }
}
