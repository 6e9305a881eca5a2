using WebEngine.Api.Docker.Streams;
using WebEngine.Engine;

namespace WebEngine.Api.Tests.Streams;

public sealed class DetachKeysTests
{
    [Theory]
    [InlineData("", new byte[] { 0x10, 0x11 })]
    [InlineData("ctrl-p,ctrl-q", new byte[] { 0x10, 0x11 })]
    [InlineData("ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_", new byte[] { 0, 27, 28, 29, 30, 31 })]
    [InlineData("a,CTRL-Z", new byte[] { (byte)'a', 26 })]
    public void ParsesDockersNotation(string text, byte[] expected) => Assert.Equal(expected, DetachKeys.Parse(text).Sequence);

    [Theory]
    [InlineData("ctrl-1")]
    [InlineData("ab")]
    [InlineData("ctrl-p,")]
    [InlineData("é")]
    public void RefusesAnythingElse(string text) =>
        Assert.Contains("Invalid detach keys", Assert.Throws<InvalidArgumentException>(() => DetachKeys.Parse(text)).Message);

    [Fact]
    public void HoldsAPartialMatchAcrossReadsAndReleasesItOnAMismatch()
    {
        var filter = DetachKeys.Parse("ctrl-p,ctrl-p,ctrl-q").NewFilter();
        var passed = new List<byte>();
        Assert.False(filter.Filter([1, 0x10], passed));
        Assert.Equal([1], passed);
        Assert.False(filter.Filter([0x10, 0x10], passed));
        Assert.Equal([1, 0x10], passed);
        Assert.True(filter.Filter([0x11, 9], passed));
        Assert.Equal([1, 0x10], passed);
    }
}
