using WebEngine.Api;
using WebEngine.Web;

var builder = WebApplication.CreateBuilder(args);
var options = DaemonOptions.From(builder.Configuration);
builder.WebHost.ConfigureKestrel(kestrel => options.ConfigureListeners(kestrel));

var app = builder.Build();
app.MapPing();
app.Logger.LogInformation("WebEngine listening on {Socket} and {Urls}, data root {DataRoot}",
    options.UnixSocket, string.Join(", ", options.HttpUrls), options.DataRoot);
app.Run();
