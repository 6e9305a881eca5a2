using WebEngine.Web.Components;

namespace WebEngine.Dashboard.Tests.Components;

public sealed class CreateContainerFormTests
{
    [Fact]
    public void Empty_form_needs_an_image() =>
        Assert.Equal("an image is required", new CreateContainerForm().Validate()["Image"]);

    [Theory]
    [InlineData("Image", "Busybox", "repository name (Busybox) must be lowercase")]
    [InlineData("Name", "-bad", "Invalid container name (-bad)")]
    [InlineData("Memory", "12x", "invalid size: '12x'")]
    [InlineData("Memory", "1k", "Minimum memory limit allowed is 6MB")]
    [InlineData("Cpus", "-1", "a positive number of CPUs")]
    [InlineData("Volumes", "data", "invalid volume specification")]
    [InlineData("Volumes", "data:/data:xx", "invalid mode: xx")]
    [InlineData("Command", "sh -c 'echo", "unterminated single quote")]
    [InlineData("Env", "=x", "invalid environment variable")]
    [InlineData("Ports", "8080:http", "invalid containerPort: http")]
    [InlineData("Ports", "99999:80", "invalid hostPort: 99999")]
    [InlineData("Ports", "80/sctp2", "invalid proto: sctp2")]
    [InlineData("Ports", "300.0.0.1:80:80", "invalid IP address: 300.0.0.1")]
    [InlineData("Ports", "1:2:3:4", "invalid port specification")]
    [InlineData("Network", "my net", "invalid network name: my net")]
    public void Bad_fields_get_the_clis_words(string field, string value, string error)
    {
        var form = new CreateContainerForm { Image = "busybox" };
        typeof(CreateContainerForm).GetProperty(field)!.SetValue(form, value);
        Assert.Contains(error, form.Validate()[field]);
    }

    [Fact]
    public void Retries_need_on_failure()
    {
        var form = new CreateContainerForm { Image = "busybox", RestartPolicy = "always", MaximumRetryCount = 3 };
        Assert.Contains("on-failure", form.Validate()["MaximumRetryCount"]);
    }

    [Fact]
    public void Valid_form_becomes_the_engines_request()
    {
        var form = new CreateContainerForm
        {
            Image = " busybox:latest ", Name = "web-1", Command = "sh -c 'echo \"hi there\"'", Env = "A=1\n\nB=two words\n",
            Volumes = "data:/data\n/tmp:/host:ro", Labels = "team=blue\nflag", RestartPolicy = "on-failure", MaximumRetryCount = 2,
            Memory = "512m", Cpus = "1.5", Tty = true,
        };
        Assert.Empty(form.Validate());
        var request = form.ToRequest();
        Assert.Equal("busybox:latest", request.Config.Image);
        Assert.Equal("web-1", request.Name);
        Assert.Equal(["sh", "-c", "echo \"hi there\""], request.Config.Cmd);
        Assert.Null(request.Config.Entrypoint);
        Assert.Equal(["A=1", "B=two words"], request.Config.Env);
        Assert.Equal(["data:/data", "/tmp:/host:ro"], request.Host.Binds);
        Assert.Equal("", request.Config.Labels["flag"]);
        Assert.Equal(512L << 20, request.Host.Memory);
        Assert.Equal(1_500_000_000, request.Host.NanoCpus);
        Assert.Equal(new WebEngine.Engine.Containers.RestartPolicy("on-failure", 2), request.Host.RestartPolicy);
        Assert.True(request.Config.Tty);
    }

    [Fact]
    public void Ports_and_network_become_bindings_exposed_ports_and_the_run_line()
    {
        var form = new CreateContainerForm
        {
            Image = "busybox", Ports = "8080:80\n127.0.0.1:5353:53/udp\n[::1]:9090:90\n443\n127.0.0.1::81", Network = " backend ",
        };
        Assert.Empty(form.Validate());
        var request = form.ToRequest();
        Assert.Equal("backend", request.Host.NetworkMode);
        Assert.Equal(["443/tcp", "53/udp", "80/tcp", "81/tcp", "90/tcp"], request.Config.ExposedPorts.Order(StringComparer.Ordinal));
        var bindings = request.Host.PortBindings;
        Assert.Equal(("", "8080"), (bindings["80/tcp"][0].HostIp, bindings["80/tcp"][0].HostPort));
        Assert.Equal(("127.0.0.1", "5353"), (bindings["53/udp"][0].HostIp, bindings["53/udp"][0].HostPort));
        Assert.Equal(("::1", "9090"), (bindings["90/tcp"][0].HostIp, bindings["90/tcp"][0].HostPort));
        Assert.Equal(("", ""), (bindings["443/tcp"][0].HostIp, bindings["443/tcp"][0].HostPort));
        Assert.Equal(("127.0.0.1", ""), (bindings["81/tcp"][0].HostIp, bindings["81/tcp"][0].HostPort));
        Assert.Equal(
            "docker run -d -p 443 -p 127.0.0.1:5353:53/udp -p 8080:80 -p 127.0.0.1::81 -p '[::1]:9090:90' --network backend busybox",
            DockerRunCommand.Format(request.Config, request.Host, null));
    }
}
