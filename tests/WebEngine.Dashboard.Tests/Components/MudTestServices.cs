using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace WebEngine.Dashboard.Tests.Components;

internal static class MudTestServices
{
    public static IServiceCollection AddMudServicesForTests(this IServiceCollection services)
    {
        services.AddMudServices();
        return services;
    }
}
