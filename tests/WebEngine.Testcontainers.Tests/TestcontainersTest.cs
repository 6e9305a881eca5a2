namespace WebEngine.Testcontainers.Tests;

/// <summary>
/// A test class on its own daemon (<see cref="TestcontainersDaemonFixture"/>); xunit makes one instance per test, so each
/// test gets its own minute (<see cref="Ct"/>).
/// </summary>
public abstract class TestcontainersTest(TestcontainersDaemonFixture fixture) : IClassFixture<TestcontainersDaemonFixture>, IDisposable
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    protected TestcontainersDaemonFixture Fixture { get; } = fixture;

    protected CancellationToken Ct => _timeout.Token;

    public void Dispose()
    {
        _timeout.Dispose();
        GC.SuppressFinalize(this);
    }
}
