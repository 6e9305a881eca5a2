using Microsoft.AspNetCore.SignalR;
using WebEngine.Engine;

namespace WebEngine.Api.Hubs;

/// <summary>
/// Streams from hub methods: engine errors reach the client as their message (SignalR hides any other exception's
/// text), and a client that goes away simply ends the stream.
/// </summary>
internal static class HubStreams
{
    public static async IAsyncEnumerable<T> WithClientErrors<T>(IAsyncEnumerable<T> source,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var items = source.WithCancellation(cancellationToken).GetAsyncEnumerator();
        try
        {
            while (true)
            {
                try
                {
                    if (!await items.MoveNextAsync())
                        yield break;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    yield break;
                }
                catch (EngineException e)
                {
                    throw new HubException(e.Message);
                }
                yield return items.Current;
            }
        }
        finally
        {
            await items.DisposeAsync();
        }
    }
}
