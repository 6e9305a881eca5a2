namespace WebEngine.Web;

/// <summary>
/// A pipeline, with services of its own, for the requests that the main routing found no endpoint for, built when the
/// first of them comes. The dashboard, the SignalR hubs and Swagger live there: a daemon that only docker CLIs talk to
/// never registers, builds or loads Blazor, MudBlazor, SignalR or Swashbuckle (with 50 containers running, about 15 MB
/// of its resident memory: their assemblies, the types their registrations load, their middleware and endpoints).
/// </summary>
public static class UnmatchedRequestBranch
{
    /// <summary>
    /// Call after UseRouting: a request without an endpoint goes to the branch and does not come back, so the branch
    /// ends with a fallback of its own. On the first such request the branch's service provider is built from the
    /// host's services (<paramref name="hostServices"/>; its singletons are the host's instances, so the branch sees
    /// the same engine, users, keys and options) plus what <paramref name="addServices"/> adds, and
    /// <paramref name="configure"/> builds the pipeline, whose requests then get their scoped services from it.
    /// </summary>
    public static IApplicationBuilder UseBranchForUnmatched(this IApplicationBuilder app, IServiceCollection hostServices,
        Action<IServiceCollection> addServices, Action<IApplicationBuilder> configure)
    {
        var host = app.ApplicationServices;
        var serverFeatures = app.ServerFeatures;
        var branch = new Lazy<RequestDelegate>(() =>
        {
            var services = SharedWith(host, hostServices);
            addServices(services);
            // Not disposed: it would dispose the host's singletons that it hands out a second time. It lives as long as the
            // host, whose stop ends the requests, hub connections and circuits that use it.
            var provider = services.BuildServiceProvider();
            // A fresh builder, not app.New(): that would share the host's global endpoint route builder, and the branch's
            // endpoints would land in the main routing (whose endpoint table is already built).
            var builder = new ApplicationBuilder(provider, serverFeatures);
            builder.Use(async (context, next) =>
            {
                var hostRequestServices = context.RequestServices;
                await using var scope = provider.CreateAsyncScope();
                context.RequestServices = scope.ServiceProvider;
                try
                {
                    await next(context);
                }
                finally
                {
                    context.RequestServices = hostRequestServices;
                }
            });
            configure(builder);
            return builder.Build();
        });
        return app.Use(next => context => context.GetEndpoint() is null ? branch.Value(context) : next(context));
    }

    /// <summary>
    /// The host's registrations, each singleton (of a closed type) resolved from the host: the i-th registration of a
    /// service type is the i-th instance the host gives for it. Scoped and transient registrations, and open generics
    /// (options, loggers), are copied and so made again by the branch from the same descriptions.
    /// </summary>
    private static IServiceCollection SharedWith(IServiceProvider host, IServiceCollection hostServices)
    {
        IServiceCollection services = new ServiceCollection();
        var seen = new Dictionary<(Type, object?), int>();
        foreach (var descriptor in hostServices)
        {
            var type = descriptor.ServiceType;
            var key = descriptor.ServiceKey;
            var index = seen.GetValueOrDefault((type, key));
            seen[(type, key)] = index + 1;
            if (descriptor.Lifetime != ServiceLifetime.Singleton || type.IsGenericTypeDefinition)
            {
                services.Add(descriptor);
                continue;
            }
            services.Add(descriptor.IsKeyedService
                ? ServiceDescriptor.KeyedSingleton(type, key, (_, _) => host.GetKeyedServices(type, key).ElementAt(index)!)
                : ServiceDescriptor.Singleton(type, _ => host.GetServices(type).ElementAt(index)!));
        }
        return services;
    }
}
