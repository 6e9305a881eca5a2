using WebEngine.Engine.Bundles;
using WebEngine.TestSupport;

namespace WebEngine.Engine.Tests.Bundles;

public sealed class ContainerUserTests : IDisposable
{
    private readonly TempDirectory _rootfs = new("webengine-user-test");

    public ContainerUserTests()
    {
        Directory.CreateDirectory(_rootfs.Combine("etc"));
        File.WriteAllText(_rootfs.Combine("etc", "passwd"),
            "root:x:0:0:root:/root:/bin/sh\n# a comment\nweb:x:33:33:www:/var/www:/bin/false\nbroken-line\napp:x:1000:1001::/home/app:/bin/sh\n");
        File.WriteAllText(_rootfs.Combine("etc", "group"),
            "root:x:0:\nwww-data:x:33:\nstaff:x:50:app,web\napp:x:1001:\naudio:x:29: app \n");
    }

    public void Dispose() => _rootfs.Dispose();

    private ContainerUser.Resolved Resolve(string? user, params string[] groupAdd) => ContainerUser.Resolve(_rootfs.Path, user, groupAdd);

    [Fact]
    public void No_user_is_root_with_its_primary_group()
    {
        Assert.Equal((0u, 0u, "/root"), (Resolve(null).Uid, Resolve(null).Gid, Resolve(null).Home));
        Assert.Equal([0u], Resolve("").AdditionalGids);
    }

    [Fact]
    public void A_name_gets_its_ids_and_the_groups_that_list_it()
    {
        var app = Resolve("app");

        Assert.Equal((1000u, 1001u), (app.Uid, app.Gid));
        Assert.Equal([1001u, 50u, 29u], app.AdditionalGids);
    }

    [Fact]
    public void A_uid_in_passwd_is_that_user_and_an_unknown_uid_is_used_as_is_with_gid_0()
    {
        Assert.Equal((33u, 33u), (Resolve("33").Uid, Resolve("33").Gid));
        Assert.Equal((4242u, 0u), (Resolve("4242").Uid, Resolve("4242").Gid));
    }

    [Fact]
    public void An_explicit_group_replaces_the_primary_group_and_the_membership_groups()
    {
        var named = Resolve("app:www-data");
        var numeric = Resolve("web:777");

        Assert.Equal((1000u, 33u), (named.Uid, named.Gid));
        Assert.Equal([33u], named.AdditionalGids);
        Assert.Equal((33u, 777u), (numeric.Uid, numeric.Gid));
    }

    [Fact]
    public void GroupAdd_appends_groups_by_name_or_number()
    {
        Assert.Equal([0u, 50u, 5000u], Resolve("root", "staff", "5000").AdditionalGids);
    }

    [Fact]
    public void Unknown_names_are_errors_with_runcs_wording()
    {
        Assert.Equal("unable to find user nobody-here: no matching entries in passwd file",
            Assert.Throws<InvalidArgumentException>(() => Resolve("nobody-here")).Message);
        Assert.Equal("unable to find group nope: no matching entries in group file",
            Assert.Throws<InvalidArgumentException>(() => Resolve("app:nope")).Message);
        Assert.Throws<InvalidArgumentException>(() => Resolve("app", "nope"));
    }

    [Fact]
    public void A_passwd_symlink_cannot_point_the_engine_at_host_files()
    {
        File.Delete(_rootfs.Combine("etc", "passwd"));
        // Read on the host, this link would escape the rootfs; resolved as the container sees it, it cannot.
        File.CreateSymbolicLink(_rootfs.Combine("etc", "passwd"), "/../../../../etc/hostile");
        File.WriteAllText(_rootfs.Combine("etc", "hostile"), "root:x:0:0:root:/contained:/bin/sh\n");

        Assert.Equal("/contained", Resolve("root").Home);
        Assert.Equal(_rootfs.Combine("etc", "hostile"), RootfsPath.Resolve(_rootfs.Path, "/etc/passwd"));
    }

    [Fact]
    public void Rootfs_paths_resolve_relative_links_and_dot_dot_inside_the_rootfs()
    {
        Directory.CreateDirectory(_rootfs.Combine("usr", "lib"));
        File.CreateSymbolicLink(_rootfs.Combine("lib"), "usr/lib");

        Assert.Equal(_rootfs.Combine("usr", "lib", "x"), RootfsPath.Resolve(_rootfs.Path, "/lib/x"));
        Assert.Equal(_rootfs.Combine("etc"), RootfsPath.Resolve(_rootfs.Path, "/../../etc"));
    }
}
