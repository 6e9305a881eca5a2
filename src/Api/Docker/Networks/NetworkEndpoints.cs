using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using WebEngine.Api.Docker.Containers;
using WebEngine.Api.OpenApi;
using WebEngine.Engine;
using WebEngine.Engine.Lifecycle;
using WebEngine.Engine.Networks;

namespace WebEngine.Api.Docker.Networks;

/// <summary>The network resource: list, inspect, create, remove, connect, disconnect, prune.</summary>
public static class NetworkEndpoints
{
    public static IEndpointRouteBuilder MapDockerNetworks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/networks").WithTags("Networks");
        group.MapGet("", ListAsync).ProducesDockerErrors(400, 500);
        group.MapGet("/{id}", InspectAsync).ProducesDockerErrors(404, 500);
        group.MapPost("/create", CreateAsync).DescribesBody<NetworkCreateJson>().ProducesDockerErrors(400, 404, 409, 500);
        group.MapDelete("/{id}", RemoveAsync).ProducesEmpty(204).ProducesDockerErrors(404, 409, 500);
        group.MapPost("/{id}/connect", ConnectAsync).DescribesBody<NetworkConnectJson>().ProducesDockerErrors(400, 404, 409, 500);
        group.MapPost("/{id}/disconnect", DisconnectAsync).DescribesBody<NetworkDisconnectJson>().ProducesDockerErrors(400, 404, 409, 500);
        group.MapPost("/prune", PruneAsync).ProducesDockerErrors(400, 500);
        return app;
    }

    private static async Task<IResult> ListAsync(HttpRequest request, NetworkService networks, CancellationToken cancellationToken) =>
        TypedResults.Ok(await networks.ListAsync(DockerQuery.Filters(request), cancellationToken));

    private static async Task<IResult> InspectAsync(string id, HttpRequest request, NetworkService networks, CancellationToken cancellationToken)
    {
        if (DockerQuery.String(request, "scope") is { Length: > 0 } scope && scope != "local")
            throw new NotFoundException($"network {id} not found");
        return TypedResults.Ok(await networks.InspectAsync(id, cancellationToken));
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, NetworkService networks, CancellationToken cancellationToken)
    {
        var body = await ContainerBody.ReadAsync<NetworkCreateJson>(request, cancellationToken)
                   ?? throw new InvalidArgumentException("network create needs a body with at least a Name");
        var result = await networks.CreateAsync(body.ToEngine(), cancellationToken);
        return TypedResults.Json(result, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> RemoveAsync(string id, NetworkService networks, CancellationToken cancellationToken)
    {
        await networks.RemoveAsync(id, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> ConnectAsync(string id, HttpRequest request, ContainerService containers, CancellationToken cancellationToken)
    {
        var body = await ContainerBody.ReadAsync<NetworkConnectJson>(request, cancellationToken);
        if (string.IsNullOrEmpty(body?.Container))
            throw new InvalidArgumentException("a container name or id is required");
        await containers.ConnectNetworkAsync(id, body.Container, body.EndpointConfig?.ToEngine() ?? new EndpointConfig(), cancellationToken);
        return TypedResults.Ok();
    }

    private static async Task<IResult> DisconnectAsync(string id, HttpRequest request, ContainerService containers, CancellationToken cancellationToken)
    {
        var body = await ContainerBody.ReadAsync<NetworkDisconnectJson>(request, cancellationToken);
        if (string.IsNullOrEmpty(body?.Container))
            throw new InvalidArgumentException("a container name or id is required");
        await containers.DisconnectNetworkAsync(id, body.Container, cancellationToken);
        return TypedResults.Ok();
    }

    private static async Task<IResult> PruneAsync(HttpRequest request, NetworkService networks, CancellationToken cancellationToken) =>
        TypedResults.Ok(new NetworkPruneResponseJson(await networks.PruneAsync(DockerQuery.Filters(request), cancellationToken)));
}
