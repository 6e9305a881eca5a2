using Microsoft.AspNetCore.Components.Authorization;
using WebEngine.Api.Auth;
using WebEngine.Engine;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Web.Components;

/// <summary>A container action the dashboard offers (per row, in bulk, or on the container's page).</summary>
public enum ContainerVerb
{
    Start,
    Stop,
    Restart,
    Kill,
    Pause,
    Resume,
    Remove,
}

/// <summary>The user may not do what they asked: the server refuses whatever the page showed.</summary>
public sealed class DashboardForbiddenException(string message) : Exception(message);

/// <summary>
/// Runs the dashboard's container actions for the signed-in user: checks the user's role first, on the server, with the
/// API's own rules (<see cref="IWebEngineAuthorization"/>), then calls the engine in-process.
/// </summary>
public sealed class ContainerActions(ContainerService containers, EngineOptions options, AuthenticationStateProvider authentication,
    IWebEngineAuthorization authorization)
{
    public static WebEngineAction Requires(ContainerVerb verb) => verb == ContainerVerb.Remove ? WebEngineAction.Administer : WebEngineAction.OperateContainer;

    /// <summary>The verbs that ask for a confirmation first.</summary>
    public static bool IsDestructive(ContainerVerb verb) => verb is ContainerVerb.Kill or ContainerVerb.Remove or ContainerVerb.Stop or ContainerVerb.Restart;

    public static bool AppliesTo(ContainerVerb verb, string state) => verb switch
    {
        ContainerVerb.Start => state is "created" or "exited" or "dead",
        ContainerVerb.Stop or ContainerVerb.Kill => state is "running" or "restarting",
        ContainerVerb.Restart => state is "running" or "exited" or "created",
        ContainerVerb.Pause => state == "running",
        ContainerVerb.Resume => state == "paused",
        ContainerVerb.Remove => state != "removing",
        _ => false,
    };

    /// <summary>Seconds between the stop signal and SIGKILL for this container.</summary>
    public async Task<int> StopTimeoutAsync(string id, CancellationToken cancellationToken)
    {
        var details = await containers.InspectAsync(id, cancellationToken);
        return details.Config.StopTimeout ?? options.DefaultStopTimeoutSeconds;
    }

    public async Task RunAsync(ContainerVerb verb, string id, CancellationToken cancellationToken)
    {
        await DemandAsync(Requires(verb));
        switch (verb)
        {
            case ContainerVerb.Start: await containers.StartAsync(id, cancellationToken); break;
            case ContainerVerb.Stop: await containers.StopAsync(id, null, null, cancellationToken); break;
            case ContainerVerb.Restart: await containers.RestartAsync(id, null, null, cancellationToken); break;
            case ContainerVerb.Kill: await containers.KillAsync(id, null, cancellationToken); break;
            case ContainerVerb.Pause: await containers.PauseAsync(id, cancellationToken); break;
            case ContainerVerb.Resume: await containers.UnpauseAsync(id, cancellationToken); break;
            case ContainerVerb.Remove: await containers.RemoveAsync(id, force: true, removeVolumes: false, cancellationToken); break;
        }
    }

    public async Task<ContainerCreateResult> CreateAsync(ContainerCreateRequest request, bool start, CancellationToken cancellationToken)
    {
        await DemandAsync(WebEngineAction.Administer);
        var created = await containers.CreateAsync(request, cancellationToken);
        if (start)
            await containers.StartAsync(created.Id, cancellationToken);
        return created;
    }

    /// <summary>Throws unless the signed-in user may do <paramref name="action"/>.</summary>
    public async Task DemandAsync(WebEngineAction action)
    {
        var state = await authentication.GetAuthenticationStateAsync();
        if (!authorization.Can(state.User, action))
            throw new DashboardForbiddenException(AccessMiddleware.ForbiddenMessage(state.User, action));
    }
}
