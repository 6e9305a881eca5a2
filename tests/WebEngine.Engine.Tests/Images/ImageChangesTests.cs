using WebEngine.Engine.Images.Archives;
using WebEngine.Engine.Images.Model;

namespace WebEngine.Engine.Tests.Images;

/// <summary>The Dockerfile instructions of `docker commit --change` and `docker import --change`.</summary>
public sealed class ImageChangesTests
{
    [Fact]
    public void CommitAppliesEachInstructionItTakes()
    {
        var config = new ContainerConfig { Env = ["PATH=/bin", "A=old"], Cmd = ["sh"] };

        ImageChanges.ApplyToCommit(config,
        [
            "CMD [\"cat\", \"/newfile\"]",
            "ENTRYPOINT /entry.sh",
            "ENV A=1 B=\"x y\"",
            "EXPOSE 80 53/udp\nUSER nobody",
            "LABEL team=web",
            "VOLUME [\"/data\"]",
            "WORKDIR /srv",
            "ONBUILD RUN make",
        ]);

        Assert.Equal(["cat", "/newfile"], config.Cmd);
        Assert.Equal(["/bin/sh", "-c", "/entry.sh"], config.Entrypoint);
        Assert.Equal(["PATH=/bin", "A=1", "B=x y"], config.Env);
        Assert.Equal(["53/udp", "80/tcp"], config.ExposedPorts!.Keys.Order());
        Assert.Equal("nobody", config.User);
        Assert.Equal("web", config.Labels!["team"]);
        Assert.Equal(["/data"], config.Volumes!.Keys);
        Assert.Equal("/srv", config.WorkingDir);
        Assert.Equal(["RUN make"], config.OnBuild);
    }

    [Theory]
    [InlineData("RUN echo", "run is not a valid change command")]
    [InlineData("FROM busybox", "from is not a valid change command")]
    [InlineData("STOPSIGNAL SIGKILL", "stopsignal is not a valid change command")]
    [InlineData("USER nobody\nCOPY a b", "copy is not a valid change command")]
    public void CommitRefusesOtherInstructionsWithDockerdsMessage(string change, string message)
    {
        var error = Assert.Throws<InvalidArgumentException>(() => ImageChanges.ApplyToCommit(new ContainerConfig(), [change]));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void ImportStillTakesStopSignalAndNamesWhatItAccepts()
    {
        var config = new ContainerConfig();
        ImageChanges.Apply(config, ["STOPSIGNAL SIGKILL"]);
        Assert.Equal("SIGKILL", config.StopSignal);

        var error = Assert.Throws<InvalidArgumentException>(() => ImageChanges.Apply(config, ["RUN echo"]));
        Assert.StartsWith("import: RUN is not a change import accepts", error.Message);
    }

    [Fact]
    public void ABadArgumentNamesTheOperation()
    {
        var error = Assert.Throws<InvalidArgumentException>(() => ImageChanges.ApplyToCommit(new ContainerConfig(), ["ENV NOVALUE"]));

        Assert.StartsWith("commit: \"ENV NOVALUE\" needs KEY=VALUE", error.Message);
    }
}
