namespace WebEngine.Engine.Images.Content;

/// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and reorder reports).</summary>
internal sealed class ByteProgress(Action<long> report) : IProgress<long>
{
    public void Report(long value) => report(value);
}
