using System.Security.Cryptography;
using WebEngine.Engine.Networks;
using WebEngine.Engine.Networks.Kernel;
using static WebEngine.Engine.Tests.Networks.NetworkTestKit;

namespace WebEngine.Engine.Tests.Networks;

/// <summary>The named network namespaces the engine makes in-process: as `ip netns add` makes them, loopback up, and gone without a trace.</summary>
public sealed class NetworkNamespaceTests
{
    [Fact]
    public async Task CreateMakesANamedNamespaceWithLoopbackUpAndRemoveLeavesNothing()
    {
        var name = "wbtns" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var path = Path.Combine(NetworkingOptions.NamespaceDirectory, name);
        var hostNamespace = new FileInfo("/proc/self/ns/net").LinkTarget;
        try
        {
            await NetworkNamespaces.CreateAsync(path);

            Assert.Contains(name, Run("ip", "netns", "list"));
            Assert.Contains(MountLines(), l => l.Contains(path) && l.Contains("nsfs"));
            var loopback = Run("ip", "-n", name, "-o", "link", "show", "lo");
            Assert.Matches("<LOOPBACK,UP,LOWER_UP>", loopback);
            Assert.Equal(["lo"], Run("ip", "-n", name, "-o", "link", "show").Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split(':')[1].Trim()).ToArray());
            // A namespace of its own, and the daemon's threads stay in the host's.
            Assert.NotEqual(NamespaceInode("/proc/self/ns/net"), NamespaceInode(path));
            Assert.Equal(hostNamespace, new FileInfo("/proc/thread-self/ns/net").LinkTarget);
            AssertEveryThreadInTheHostNamespace();

            // A namespace left by an interrupted start is reused: its loopback is brought up again.
            Assert.Equal("", Run("ip", "-n", name, "link", "set", "lo", "down"));
            Assert.DoesNotMatch("<LOOPBACK,UP", Run("ip", "-n", name, "-o", "link", "show", "lo"));
            await NetworkNamespaces.CreateAsync(path);
            Assert.Matches("<LOOPBACK,UP,LOWER_UP>", Run("ip", "-n", name, "-o", "link", "show", "lo"));

            NetworkNamespaces.Remove(path);
            Assert.False(File.Exists(path));
            Assert.DoesNotContain(MountLines(), l => l.Contains(path));
            Assert.DoesNotContain(name, Run("ip", "netns", "list"));
            NetworkNamespaces.Remove(path);

            // A file left by a create interrupted before its bind mount gets a namespace of its own.
            await File.WriteAllTextAsync(path, "");
            await NetworkNamespaces.CreateAsync(path);
            Assert.Contains(MountLines(), l => l.Contains(path) && l.Contains("nsfs"));
            Assert.Matches("<LOOPBACK,UP,LOWER_UP>", Run("ip", "-n", name, "-o", "link", "show", "lo"));
            NetworkNamespaces.Remove(path);
            Assert.False(File.Exists(path));
        }
        finally
        {
            if (File.Exists(path))
                Run("ip", "netns", "del", name);
        }
    }

    [Fact]
    public async Task ManyAtOnceEachGetTheirOwnNamespace()
    {
        var names = Enumerable.Range(0, 8).Select(_ => "wbtns" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))).ToList();
        var paths = names.Select(n => Path.Combine(NetworkingOptions.NamespaceDirectory, n)).ToList();
        try
        {
            await Task.WhenAll(paths.Select(NetworkNamespaces.CreateAsync));

            var identities = paths.Select(NamespaceInode).ToHashSet();
            Assert.Equal(paths.Count, identities.Count);
            Assert.DoesNotContain(NamespaceInode("/proc/self/ns/net"), identities);
            foreach (var name in names)
                Assert.Matches("<LOOPBACK,UP,LOWER_UP>", Run("ip", "-n", name, "-o", "link", "show", "lo"));
            AssertEveryThreadInTheHostNamespace();
        }
        finally
        {
            foreach (var path in paths)
                NetworkNamespaces.Remove(path);
        }
        Assert.All(paths, p => Assert.False(File.Exists(p)));
        Assert.DoesNotContain(MountLines(), l => names.Any(l.Contains));
    }

    /// <summary>
    /// No thread of this process is left in a namespace the tests made: a thread started by a namespace's own thread
    /// (a thread-pool worker started when it completed its task) would inherit the namespace.
    /// </summary>
    private static void AssertEveryThreadInTheHostNamespace()
    {
        var host = new FileInfo("/proc/self/ns/net").LinkTarget;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            string? target;
            try
            {
                // A namespace's own thread (of this test or of an engine in a test beside it) is there while it works.
                if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith("netns ", StringComparison.Ordinal))
                    continue;
                target = new FileInfo(Path.Combine(task, "ns", "net")).LinkTarget;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // the thread ended meanwhile
            }
            if (target is not null)
                Assert.True(target == host, $"thread {Path.GetFileName(task)} is in {target}, not in the host's {host}");
        }
    }

    private static string[] MountLines() => File.ReadAllLines("/proc/self/mountinfo");

    /// <summary>The inode of the namespace a path (a bind-mounted namespace or /proc/.../ns/net) stands for.</summary>
    private static string NamespaceInode(string path) => Run("stat", "-L", "-c", "%d:%i", path).Trim();
}
