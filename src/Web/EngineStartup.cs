using WebEngine.Engine.Lifecycle;

namespace WebEngine.Web;

/// <summary>
/// Brings the engine up before the listeners open: hosted services start before the web server, so the first request
/// already sees every container re-attached to its shim (or its exit recorded) and restart policies applied.
/// </summary>
public sealed class EngineStartup(ContainerService containers, ILogger<EngineStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await containers.ReconcileAsync(cancellationToken);
        logger.LogInformation("Engine ready: containers reconciled with their shims");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
