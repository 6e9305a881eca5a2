using System.Net;
using WebEngine.Engine.Images;
using WebEngine.Engine.Images.Archives;
using WebEngine.Engine.Images.Registry;
using WebEngine.TestSupport;

namespace WebEngine.Engine.Tests.Images;

/// <summary>How a push talks to a real registry: chunked uploads, cross-repository mounts, the monolithic fallback.</summary>
public sealed class RegistryPushUploadTests
{
    private const string BusyboxId = "sha256:f846067098728d0c389893632133bccbfa436b32f6113f9a05f9a4846c74f6b4";
    private const int ChunkSize = 1 << 20;

    [Fact]
    public async Task LargeBlobsGoInContiguousChunksAndASecondRepositoryMountsThem()
    {
        using var registry = new RegistryFixture();
        using var source = new ImageStoreFixture(pushChunkSize: ChunkSize);
        var image = Assert.Single(await new ImageArchiveLoader(source.Images).LoadAsync(RepoPaths.SharedImage("busybox-docker.tar"), null, CancellationToken.None));
        var layerSize = image.Layers[0].BlobSize;
        Assert.True(layerSize > 2 * ChunkSize, $"the busybox layer ({layerSize} bytes) should need several chunks");
        var first = $"{registry.Host}/chunked/busybox:v1";
        await source.Images.TagAsync(image.Id, first, CancellationToken.None);
        using var handler = new RecordingHandler();

        await new ImagePusher(source.Images, null, handler).PushAsync(first, null, CancellationToken.None);

        var ranges = handler.Requests.Where(r => r.Method == HttpMethod.Patch).Select(r => r.ContentRange!).ToList();
        Assert.Equal((int)((layerSize + ChunkSize - 1) / ChunkSize), ranges.Count);
        var expectedStart = 0L;
        foreach (var range in ranges)
        {
            var parts = range.Split('-').Select(long.Parse).ToArray();
            Assert.Equal(expectedStart, parts[0]);
            expectedStart = parts[1] + 1;
        }
        Assert.Equal(layerSize, expectedStart);
        using (var back = new ImageStoreFixture())
            Assert.Equal(BusyboxId, (await new ImagePuller(back.Images, null).PullAsync(first, null, CancellationToken.None)).Id);

        // The same image pushed to another repository: its blobs are mounted from the first one, not sent again.
        var second = $"{registry.Host}/mounted/busybox:v1";
        await source.Images.TagAsync(image.Id, second, CancellationToken.None);
        using var mountHandler = new RecordingHandler();
        var progress = new List<ImageProgress>();
        await new ImagePusher(source.Images, null, mountHandler).PushAsync(second, new SynchronousProgress(progress), CancellationToken.None);

        Assert.Contains(progress, p => p.Id == ImageProgress.ShortId(image.Layers[0].BlobDigest) && p.Status == "Mounted from chunked/busybox");
        Assert.Contains(mountHandler.Requests, r => r.Method == HttpMethod.Post && r.Query.Contains("mount=") && r.Query.Contains("from=chunked%2Fbusybox"));
        Assert.DoesNotContain(mountHandler.Requests, r => r.Method == HttpMethod.Patch || (r.Method == HttpMethod.Put && r.Path.Contains("/blobs/")));
        using (var back = new ImageStoreFixture())
            Assert.Equal(BusyboxId, (await new ImagePuller(back.Images, null).PullAsync(second, null, CancellationToken.None)).Id);
    }

    [Fact]
    public async Task ARegistryRefusingPatchGetsOneMonolithicPut()
    {
        using var registry = new RegistryFixture();
        using var source = new ImageStoreFixture(pushChunkSize: ChunkSize);
        var image = Assert.Single(await new ImageArchiveLoader(source.Images).LoadAsync(RepoPaths.SharedImage("busybox-docker.tar"), null, CancellationToken.None));
        var target = $"{registry.Host}/monolithic/busybox:v1";
        await source.Images.TagAsync(image.Id, target, CancellationToken.None);
        using var handler = new RecordingHandler(refusePatch: true);

        await new ImagePusher(source.Images, null, handler).PushAsync(target, null, CancellationToken.None);

        Assert.Single(handler.Requests, r => r.Method == HttpMethod.Patch);
        Assert.Contains(handler.Requests, r => r.Method == HttpMethod.Put && r.Path.Contains("/blobs/") && r.ContentLength == image.Layers[0].BlobSize);
        using var back = new ImageStoreFixture();
        Assert.Equal(BusyboxId, (await new ImagePuller(back.Images, null).PullAsync(target, null, CancellationToken.None)).Id);
    }

    private sealed record RecordedRequest(HttpMethod Method, string Path, string Query, string? ContentRange, long? ContentLength);

    /// <summary>Passes every request to the real registry and records it; optionally answers PATCH itself with 405.</summary>
    private sealed class RecordingHandler(bool refusePatch = false) : DelegatingHandler(new SocketsHttpHandler())
    {
        private readonly List<RecordedRequest> _requests = [];

        public IReadOnlyList<RecordedRequest> Requests
        {
            get
            {
                lock (_requests)
                    return _requests.ToList();
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var range = request.Content?.Headers.TryGetValues("Content-Range", out var values) == true ? values.First() : null;
            lock (_requests)
                _requests.Add(new RecordedRequest(request.Method, request.RequestUri!.AbsolutePath, request.RequestUri.Query, range, request.Content?.Headers.ContentLength));
            if (refusePatch && request.Method == HttpMethod.Patch)
                return new HttpResponseMessage(HttpStatusCode.MethodNotAllowed) { RequestMessage = request };
            return await base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>Records progress on the reporting thread (Progress&lt;T&gt; would post it later).</summary>
    private sealed class SynchronousProgress(List<ImageProgress> items) : IProgress<ImageProgress>
    {
        public void Report(ImageProgress value)
        {
            lock (items)
                items.Add(value);
        }
    }
}
