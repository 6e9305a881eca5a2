using WebEngine.Engine.Images;

namespace WebEngine.Engine.Tests.Images;

public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("busybox", "docker.io/library/busybox:latest", "busybox:latest", "registry-1.docker.io")]
    [InlineData("busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36", "registry-1.docker.io")]
    [InlineData("library/busybox", "docker.io/library/busybox:latest", "busybox:latest", "registry-1.docker.io")]
    [InlineData("index.docker.io/user/app:v1", "docker.io/user/app:v1", "user/app:v1", "registry-1.docker.io")]
    [InlineData("localhost/app", "localhost/app:latest", "localhost/app:latest", "localhost")]
    [InlineData("127.0.0.1:5000/team/app:tag-1.0", "127.0.0.1:5000/team/app:tag-1.0", "127.0.0.1:5000/team/app:tag-1.0", "127.0.0.1:5000")]
    [InlineData("quay.io/org/sub/app", "quay.io/org/sub/app:latest", "quay.io/org/sub/app:latest", "quay.io")]
    [InlineData("ghcr.io/a/b@sha256:5ceea4822aa349dfbc18b393e996d5e7c6a2a2085ccd90af043904565b3ee289",
        "ghcr.io/a/b@sha256:5ceea4822aa349dfbc18b393e996d5e7c6a2a2085ccd90af043904565b3ee289",
        "ghcr.io/a/b@sha256:5ceea4822aa349dfbc18b393e996d5e7c6a2a2085ccd90af043904565b3ee289", "ghcr.io")]
    public void NormalizesLikeDocker(string input, string normalized, string familiar, string registryHost)
    {
        var reference = ImageReference.ParseNormalized(input);
        Assert.Equal(normalized, reference.ToString());
        Assert.Equal(familiar, reference.ToFamiliarString());
        Assert.Equal(registryHost, reference.RegistryHost);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Busybox")]
    [InlineData("busybox:")]
    [InlineData("busybox:bad/tag")]
    [InlineData("busybox@sha256:short")]
    [InlineData("a//b")]
    [InlineData("-leading/dash")]
    [InlineData("busybox:-tag")]
    [InlineData("busybox:v\u00e9rsion")]
    [InlineData("busybox:\u0661")]
    public void RefusesMalformedReferences(string input) =>
        Assert.Throws<InvalidArgumentException>(() => ImageReference.ParseNormalized(input));
}
