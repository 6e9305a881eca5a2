using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WebEngine.Data;
using WebEngine.Engine.Build;
using WebEngine.Engine.Events;
using WebEngine.Engine.Images;
using WebEngine.Engine.Images.Archives;
using WebEngine.Engine.Images.Registry;
using WebEngine.Engine.Lifecycle;
using WebEngine.Engine.Networks;
using WebEngine.Engine.Volumes;

namespace WebEngine.Engine;

/// <summary>The one place that wires the engine's services.</summary>
public static class EngineServiceCollectionExtensions
{
    /// <summary>
    /// Adds the engine (database, images, volumes, events, containers, networks) as singletons. The host must call
    /// <see cref="ContainerService.ReconcileAsync"/> once at start, before it serves requests.
    /// </summary>
    public static IServiceCollection AddWebEngine(this IServiceCollection services, Action<EngineOptions>? configure = null)
    {
        var options = new EngineOptions();
        configure?.Invoke(options);
        services.AddSingleton(options);
        services.AddSingleton(_ => WebEngineDatabase.Open(options.DatabasePath));
        services.AddSingleton<IImageUsage>(sp => new ContainerImageUsage(sp.GetRequiredService<WebEngineDatabase>()));
        services.AddSingleton(sp => new ImageStoreOptions
        {
            DataRoot = options.DataRoot,
            ForceCopyRootfs = options.ForceCopyRootfs,
            StagingLimit = options.ImageStagingLimit,
        });
        services.AddSingleton(sp => new ImageService(sp.GetRequiredService<ImageStoreOptions>(), sp.GetRequiredService<WebEngineDatabase>(),
            sp.GetRequiredService<IImageUsage>(), sp.GetRequiredService<EventLog>()));
        services.AddSingleton(sp => new ImageArchiveLoader(sp.GetRequiredService<ImageService>()));
        services.AddSingleton(sp => new ImageArchiveWriter(sp.GetRequiredService<ImageService>()));
        services.AddSingleton(sp => new ImageImporter(sp.GetRequiredService<ImageService>()));
        services.AddSingleton(sp => new RegistryCredentialStore(sp.GetRequiredService<WebEngineDatabase>(), options.DataRoot));
        services.AddSingleton(sp => new ImagePuller(sp.GetRequiredService<ImageService>(), sp.GetRequiredService<RegistryCredentialStore>()));
        services.AddSingleton(sp => new ImagePusher(sp.GetRequiredService<ImageService>(), sp.GetRequiredService<RegistryCredentialStore>()));
        services.AddSingleton(sp => new RegistryLogin(sp.GetRequiredService<ImageStoreOptions>(), sp.GetRequiredService<RegistryCredentialStore>()));
        services.AddSingleton(sp => new EventLog(sp.GetRequiredService<WebEngineDatabase>(), options));
        services.AddSingleton(sp => new VolumeService(options, sp.GetRequiredService<WebEngineDatabase>(), sp.GetRequiredService<EventLog>()));
        services.AddSingleton(sp => new ContainerService(options, sp.GetRequiredService<WebEngineDatabase>(), sp.GetRequiredService<ImageService>(),
            sp.GetRequiredService<VolumeService>(), sp.GetRequiredService<EventLog>(), sp.GetService<ILogger<ContainerService>>()));
        services.AddSingleton(sp => sp.GetRequiredService<ContainerService>().Networks);
        services.AddSingleton(sp => new ImageBuilder(sp.GetRequiredService<ImageService>(), sp.GetRequiredService<ContainerService>(), sp.GetRequiredService<ImagePuller>()));
        return services;
    }
}
