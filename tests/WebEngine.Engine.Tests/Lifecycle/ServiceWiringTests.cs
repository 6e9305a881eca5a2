using Microsoft.Extensions.DependencyInjection;
using WebEngine.Engine.Events;
using WebEngine.Engine.Images;
using WebEngine.Engine.Images.Archives;
using WebEngine.Engine.Lifecycle;
using WebEngine.Engine.Volumes;
using WebEngine.TestSupport;

namespace WebEngine.Engine.Tests.Lifecycle;

/// <summary>AddWebEngine wires one engine: shared singletons, and images in use by containers protected from removal.</summary>
public sealed class ServiceWiringTests
{
    [Fact]
    public async Task AddWebEngineWiresTheEngineOnItsDataRoot()
    {
        Prerequisites.RequireRoot();
        using var root = new TempDirectory("we");
        var networking = TestNetworking.Create();
        var cgroupParent = $"/webengine-test-{Guid.NewGuid():N}"[..28];
        var services = new ServiceCollection().AddWebEngine(options =>
        {
            options.DataRoot = root.Combine("data");
            options.StateRoot = root.Combine("run");
            options.ShimBinary = RepoPaths.ShimBinary;
            options.CgroupParent = cgroupParent;
            options.Runtimes = new Dictionary<string, string> { ["runc"] = Prerequisites.RequireProgram("runc", "runc") };
            options.DefaultRuntime = "runc";
            options.Networking = new WebEngine.Engine.Networks.NetworkingOptions
            {
                DevicePrefix = networking.DevicePrefix, FirewallTable = networking.FirewallTable, AddressPool = networking.AddressPool, DefaultBridgeSubnet = "",
            };
        });
        await using var provider = services.BuildServiceProvider();
        try
        {
            var containers = provider.GetRequiredService<ContainerService>();
            var images = provider.GetRequiredService<ImageService>();
            Assert.Same(provider.GetRequiredService<EventLog>(), provider.GetRequiredService<EventLog>());
            Assert.NotNull(provider.GetRequiredService<VolumeService>());
            await containers.ReconcileAsync(EngineFixture.Timeout());
            var image = (await provider.GetRequiredService<ImageArchiveLoader>().LoadAsync(RepoPaths.SharedImage("busybox-oci.tar"), null, EngineFixture.Timeout())).Single();
            Assert.True(File.Exists(Path.Combine(root.Path, "data", "webengine.db")));

            var created = await containers.CreateAsync(new ContainerCreateRequest(new Containers.ContainerConfig { Image = "busybox", Cmd = ["true"] }, new Containers.HostConfig()),
                EngineFixture.Timeout());
            Assert.Contains(image.Id, await provider.GetRequiredService<IImageUsage>().GetImageIdsInUseAsync(EngineFixture.Timeout()));
            await Assert.ThrowsAsync<ConflictException>(() => images.RemoveAsync(image.Id, force: false, EngineFixture.Timeout()));
            await containers.RemoveAsync(created.Id, force: true, removeVolumes: true, EngineFixture.Timeout());
            Assert.DoesNotContain(image.Id, await provider.GetRequiredService<IImageUsage>().GetImageIdsInUseAsync(EngineFixture.Timeout()));
        }
        finally
        {
            networking.Clean();
            EngineLeftovers.RemoveCgroupParent(cgroupParent);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
    }
}
