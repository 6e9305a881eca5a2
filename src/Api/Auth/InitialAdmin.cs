using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace WebEngine.Api.Auth;

/// <summary>
/// On first start (no user exists yet) creates "admin", with the configured password or a random one written once to
/// the log. Runs before the listeners open, so no request ever meets a daemon without users.
/// </summary>
public sealed class InitialAdmin(UserService users, AuthOptions options, ILogger<InitialAdmin> logger) : IHostedService
{
    public const string UserName = "admin";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await users.AnyAsync(cancellationToken))
            return;
        var configured = !string.IsNullOrEmpty(options.InitialAdminPassword);
        var password = configured ? options.InitialAdminPassword! : Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
        await users.CreateAsync(UserName, password, Roles.Admin, cancellationToken);
        if (configured)
            logger.LogWarning("Created user {User} (role {Role}) with the password from WebEngine:InitialAdminPassword", UserName, Roles.Admin);
        else
            logger.LogWarning("Created user {User} (role {Role}) with password {Password} - it is shown only this once: sign in and change it",
                UserName, Roles.Admin, password);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
