using WebEngine.Engine.Containers;
using WebEngine.Web.Components;

namespace WebEngine.Dashboard.Tests.Components;

public sealed class DockerRunCommandTests
{
    [Fact]
    public void Formats_flags_image_and_command_with_shell_quoting()
    {
        var config = new ContainerConfig
        {
            Image = "busybox", Cmd = ["sh", "-c", "echo it's"], Env = ["A=1"], Tty = true,
            Labels = new Dictionary<string, string> { ["b"] = "2", ["a"] = "x y" },
        };
        var host = new HostConfig { Binds = ["data:/data"], RestartPolicy = new RestartPolicy("on-failure", 3), Memory = 1048576, NanoCpus = 500_000_000 };
        Assert.Equal(
            "docker run -d --name web -t -e A=1 -v data:/data --label 'a=x y' --label b=2 --restart on-failure:3 --memory 1048576 --cpus 0.5 busybox sh -c 'echo it'\\''s'",
            DockerRunCommand.Format(config, host, "/web"));
    }

    [Fact]
    public void Entrypoint_goes_to_its_flag_and_its_arguments_after_the_image()
    {
        var config = new ContainerConfig { Image = "busybox", Entrypoint = ["/bin/sh", "-c"], Cmd = ["true"] };
        Assert.Equal("docker run -d --entrypoint /bin/sh busybox -c true", DockerRunCommand.Format(config, new HostConfig(), null));
    }

    [Theory]
    [InlineData("a b  c", new[] { "a", "b", "c" })]
    [InlineData("sh -c 'x y'", new[] { "sh", "-c", "x y" })]
    [InlineData("echo \"a \\\"b\\\"\" c\\ d", new[] { "echo", "a \"b\"", "c d" })]
    [InlineData("''", new[] { "" })]
    [InlineData("", new string[0])]
    public void Splits_like_a_shell(string line, string[] words) => Assert.Equal(words, DockerRunCommand.Split(line));
}
