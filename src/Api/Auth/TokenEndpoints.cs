using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using WebEngine.Api.OpenApi;

namespace WebEngine.Api.Auth;

/// <summary>
/// /webengine/tokens: every user lists, creates and revokes their own API tokens; an admin may name another user
/// (?user= or "User"), and the unix socket's principal, which has no tokens of its own, must.
/// </summary>
public static class TokenEndpoints
{
    public static IEndpointRouteBuilder MapTokens(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/webengine/tokens").WithTags("Tokens");

        group.MapGet("", async (string? user, ClaimsPrincipal principal, ApiTokenService tokens, CancellationToken cancellationToken) =>
            TypedResults.Ok((await tokens.ListAsync(TokenOwner.Resolve(principal, user), cancellationToken)).Select(TokenResponse.From).ToList()))
            .ProducesDockerErrors(400, 404);

        group.MapPost("", async (HttpContext context, ApiTokenService tokens) =>
        {
            var request = await JsonBody.ReadAsync<CreateTokenRequest>(context);
            var (token, secret) = await tokens.CreateAsync(TokenOwner.Resolve(context.User, request.User), request.Name ?? "", context.RequestAborted);
            return TypedResults.Created($"/webengine/tokens/{token.Id}",
                new CreatedTokenResponse(token.Id, token.Name, token.User, token.Prefix, token.CreatedUtc, secret));
        }).DescribesBody<CreateTokenRequest>().ProducesDockerErrors(400, 404, 409);

        group.MapDelete("/{id:long}", async (long id, ClaimsPrincipal principal, ApiTokenService tokens, CancellationToken cancellationToken) =>
        {
            await tokens.RevokeAsync(id, TokenOwner.RevocationScope(principal), cancellationToken);
            return TypedResults.NoContent();
        }).ProducesDockerErrors(404);
        return app;
    }
}
