using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace WebEngine.Api.Tests.Images;

/// <summary>Bad requests to the image endpoints get Docker's 4xx with a JSON message, never a 500, and change nothing.</summary>
public sealed class ImageBadInputTests(ImageDaemonFixture fixture) : IClassFixture<ImageDaemonFixture>
{
    [Theory]
    [InlineData("images/create?fromImage=Bad%2FName&tag=latest", 400, "invalid reference format")]
    [InlineData("images/create?fromImage=busybox&tag=no%20spaces", 400, "invalid reference format")]
    [InlineData("images/create", 400, "fromImage or fromSrc")]
    [InlineData("images/create?fromImage=busybox&platform=linux%2Farm64%2Fv8%2Fx", 400, "unknown operating system or architecture")]
    [InlineData("images/nosuch/tag?repo=x", 404, "No such image: nosuch")]
    [InlineData("images/busybox/tag?repo=Bad%20Repo", 400, "invalid reference format")]
    [InlineData("images/busybox/tag", 400, "repository name")]
    [InlineData("images/nosuch/push?tag=1", 404, "An image does not exist locally with the tag: nosuch")]
    [InlineData("images/prune?filters=%7B%22dangling%22%3A%5B%22maybe%22%5D%7D", 400, "invalid filter 'dangling=maybe'")]
    [InlineData("images/prune?filters=%7B%22colour%22%3A%5B%22x%22%5D%7D", 400, "invalid filter 'colour'")]
    [InlineData("images/load", 400, "empty")]
    public async Task BadPostsAre4xx(string path, int status, string message)
    {
        var before = await ImageIdsAsync();
        await ImageDaemonFixture.AssertErrorAsync(await fixture.Http.PostAsync(path, null), status, message);
        Assert.Equal(before, await ImageIdsAsync());
    }

    [Theory]
    [InlineData("images/nosuch/json", 404, "No such image: nosuch")]
    [InlineData("images/nosuch/history", 404, "No such image: nosuch")]
    [InlineData("images/nosuch/get", 404, "No such image: nosuch")]
    [InlineData("images/get?names=busybox&names=nosuch", 404, "No such image: nosuch")]
    [InlineData("images/get", 400, "no image named")]
    [InlineData("images/json?filters=notjson", 400, "invalid filter")]
    [InlineData("images/json?filters=%7B%22colour%22%3A%5B%22x%22%5D%7D", 400, "invalid filter 'colour'")]
    [InlineData("images/json?filters=%7B%22before%22%3A%5B%22nosuch%22%5D%7D", 404, "No such image: nosuch")]
    [InlineData("images/busybox/bogus", 404, "page not found")]
    public async Task BadGetsAre4xx(string path, int status, string message) =>
        await ImageDaemonFixture.AssertErrorAsync(await fixture.Http.GetAsync(path), status, message);

    [Fact]
    public async Task RemovingAnUnknownImageIs404()
    {
        await ImageDaemonFixture.AssertErrorAsync(await fixture.Http.DeleteAsync("images/nosuch"), 404, "No such image: nosuch");
        Assert.Contains("No such image: nosuch", await fixture.DockerFailsAsync("rmi", "nosuch"));
    }

    [Fact]
    public async Task ACorruptArchiveIs400ForLoadAndImportAndLeavesNothing()
    {
        var before = await ImageIdsAsync();
        var junk = new byte[8192];
        Random.Shared.NextBytes(junk);
        var load = new ByteArrayContent(junk);
        load.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        await ImageDaemonFixture.AssertErrorAsync(await fixture.Http.PostAsync("images/load?quiet=1", load), 400, "corrupt");
        await ImageDaemonFixture.AssertErrorAsync(await fixture.Http.PostAsync("images/create?fromSrc=-&repo=junk", new ByteArrayContent(junk)), 400, "corrupt");
        var path = Path.Combine(fixture.Scratch, "junk.tar");
        await File.WriteAllBytesAsync(path, junk);
        Assert.Contains("corrupt", await fixture.DockerFailsAsync("load", "-i", path));
        Assert.Equal(before, await ImageIdsAsync());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(fixture.Daemon.DataRoot, "tmp")));
    }

    [Fact]
    public async Task AnUnreachableRegistryIsAnErrorNotA500()
    {
        var response = await fixture.Http.PostAsync("images/create?fromImage=127.0.0.1%3A9%2Fnothing&tag=1", null);
        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.False(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AMalformedRegistryAuthHeaderIs400()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "images/create?fromImage=127.0.0.1%3A9%2Fnothing&tag=1");
        request.Headers.Add("X-Registry-Auth", "***");
        await ImageDaemonFixture.AssertErrorAsync(await fixture.Http.SendAsync(request), 400, "X-Registry-Auth");
    }

    private async Task<string> ImageIdsAsync()
    {
        var list = await fixture.GetJsonAsync("images/json?all=1");
        return string.Join(',', list.EnumerateArray().Select(i => i.GetProperty("Id").GetString() + string.Join('+', i.GetProperty("RepoTags").EnumerateArray().Select(t => t.GetString()))).Order());
    }
}
