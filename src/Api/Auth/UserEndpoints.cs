using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using WebEngine.Api.OpenApi;

namespace WebEngine.Api.Auth;

/// <summary>/webengine/users: admins manage users (the role check is the request classifier's: not GET → admin).</summary>
public static class UserEndpoints
{
    public static IEndpointRouteBuilder MapUsers(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/webengine/users").WithTags("Users");

        group.MapGet("", async (UserService users, CancellationToken cancellationToken) =>
            TypedResults.Ok((await users.ListAsync(cancellationToken)).Select(UserResponse.From).ToList()));

        group.MapPost("", async (HttpContext context, UserService users) =>
        {
            var request = await JsonBody.ReadAsync<CreateUserRequest>(context);
            var user = await users.CreateAsync(request.Name ?? "", request.Password ?? "", request.Role ?? Roles.Viewer, context.RequestAborted);
            return TypedResults.Created($"/webengine/users/{user.Name}", UserResponse.From(user));
        }).DescribesBody<CreateUserRequest>().ProducesDockerErrors(400, 409);

        group.MapGet("/{name}", async (string name, UserService users, CancellationToken cancellationToken) =>
            TypedResults.Ok(UserResponse.From(await users.GetAsync(name, cancellationToken)))).ProducesDockerErrors(404);

        group.MapPatch("/{name}", async (string name, HttpContext context, UserService users) =>
        {
            var request = await JsonBody.ReadAsync<UpdateUserRequest>(context);
            return TypedResults.Ok(UserResponse.From(await users.UpdateAsync(name, request.Password, request.Role, context.RequestAborted)));
        }).DescribesBody<UpdateUserRequest>().ProducesDockerErrors(400, 404, 409);

        group.MapDelete("/{name}", async (string name, UserService users, CancellationToken cancellationToken) =>
        {
            await users.DeleteAsync(name, cancellationToken);
            return TypedResults.NoContent();
        }).ProducesDockerErrors(404, 409);
        return app;
    }
}
