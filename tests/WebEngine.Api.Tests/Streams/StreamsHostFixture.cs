namespace WebEngine.Api.Tests.Streams;

/// <summary>One in-process daemon for a test class; each test makes its own containers.</summary>
public sealed class StreamsHostFixture : IAsyncLifetime
{
    private StreamsHost? _host;

    public StreamsHost Host => _host ?? throw new InvalidOperationException("the host did not start");

    public async Task InitializeAsync() => _host = await StreamsHost.StartAsync();

    public async Task DisposeAsync()
    {
        if (_host is not null)
            await _host.DisposeAsync();
    }
}
