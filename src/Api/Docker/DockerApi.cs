using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using WebEngine.Api.Docker.Containers;
using WebEngine.Api.Docker.Exec;
using WebEngine.Api.Docker.Streams;
using WebEngine.Api.Docker.Networks;

namespace WebEngine.Api.Docker;

/// <summary>The Docker Engine API's routes, one group of endpoints a file (system, containers, exec, images, volumes, networks).</summary>
public static class DockerApi
{
    public static IEndpointRouteBuilder MapDockerApi(this IEndpointRouteBuilder app)
    {
        app.MapDockerSystem();
        app.MapDockerContainers();
        app.MapDockerAttach(); app.MapDockerExec();
        app.MapDockerImages();
        app.MapDockerVolumes();
        app.MapDockerNetworks();
        return app;
    }
}
