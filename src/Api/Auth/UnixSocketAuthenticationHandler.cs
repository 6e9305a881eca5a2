using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WebEngine.Api.Auth;

/// <summary>
/// Requests on the unix socket are trusted as docker.sock's are (the socket is mode 0660, root): they get the admin
/// principal, so authorization has one path for every listener.
/// </summary>
public sealed class UnixSocketAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
        Task.FromResult(Context.CameThroughUnixSocket()
            ? AuthenticateResult.Success(new AuthenticationTicket(WebEnginePrincipal.UnixSocketRoot(), Scheme.Name))
            : AuthenticateResult.NoResult());
}
