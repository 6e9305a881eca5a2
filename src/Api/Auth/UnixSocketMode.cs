using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace WebEngine.Api.Auth;

/// <summary>
/// Makes the unix socket mode 0660 once the server listens (docker.sock's mode: root and its group). The socket is
/// trusted as admin, so who may open it is the whole of its access control.
/// </summary>
public sealed class UnixSocketMode(string? socketPath, IHostApplicationLifetime lifetime, ILogger<UnixSocketMode> logger) : IHostedService
{
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(socketPath))
            lifetime.ApplicationStarted.Register(Apply);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Apply()
    {
        try
        {
            File.SetUnixFileMode(socketPath!, Mode);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogError(e, "Could not make {Socket} mode 0660", socketPath);
        }
    }
}
