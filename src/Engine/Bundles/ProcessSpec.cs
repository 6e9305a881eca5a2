using WebEngine.Engine.Containers;
using WebEngine.Engine.Security;
using WebEngine.Oci;

namespace WebEngine.Engine.Bundles;

/// <summary>The container's process: command line, environment, user, terminal, capabilities, limits.</summary>
internal static class ProcessSpec
{
    public static Process Create(BundleRequest request, string hostname, IReadOnlyList<string> capabilities, SecurityOptions security, string? initBinary)
    {
        var (config, host) = (request.Config, request.Host);
        var user = ContainerUser.Resolve(request.RootfsPath, config.User, host.GroupAdd);
        return new Process
        {
            Terminal = config.Tty,
            Args = Args(config, host, initBinary),
            Env = Environment(config, hostname),
            Cwd = string.IsNullOrEmpty(config.WorkingDir) ? "/" : config.WorkingDir,
            User = new User { Uid = user.Uid, Gid = user.Gid, AdditionalGids = [.. user.AdditionalGids] },
            Capabilities = new Capabilities { Bounding = [.. capabilities], Effective = [.. capabilities], Permitted = [.. capabilities] },
            Rlimits = host.Ulimits.Count == 0 ? null : host.Ulimits.Select(u => new Rlimit
            {
                Type = Ulimit.Resources[u.Name],
                Soft = Ulimit.ToRlimitValue(u.Soft),
                Hard = Ulimit.ToRlimitValue(u.Hard),
            }).ToList(),
            NoNewPrivileges = security.NoNewPrivileges,
            ApparmorProfile = security.AppArmorProfile is null or "unconfined" ? null : security.AppArmorProfile,
            OomScoreAdj = host.OomScoreAdj,
        };
    }

    /// <summary>Entrypoint + Cmd, behind the init binary when HostConfig.Init asks for one.</summary>
    private static List<string> Args(ContainerConfig config, HostConfig host, string? initBinary)
    {
        var command = ContainerConfigMerge.CommandLine(config);
        if (command.Count == 0)
            throw new InvalidArgumentException("no command specified");
        if (host.Init != true)
            return [.. command];
        if (initBinary is null)
            throw new InvalidArgumentException("HostConfig.Init is set but the engine has no init binary configured (install tini: `apt-get install tini`)");
        // "--" ends the init's own options, so the command's flags reach the command.
        return [ContainerDefaults.InitPathInContainer, "--", .. command];
    }

    /// <summary>PATH, HOSTNAME and TERM defaults, then the container's Env replacing or adding entries by key.</summary>
    private static List<string> Environment(ContainerConfig config, string hostname)
    {
        var env = new List<string> { ContainerDefaults.PathEnv, "HOSTNAME=" + hostname };
        if (config.Tty)
            env.Add("TERM=xterm");
        foreach (var entry in config.Env)
        {
            var key = ContainerConfigMerge.EnvKey(entry);
            var index = env.FindIndex(e => ContainerConfigMerge.EnvKey(e) == key);
            // "KEY" without '=' unsets KEY, as in Docker.
            if (!entry.Contains('='))
            {
                if (index >= 0)
                    env.RemoveAt(index);
            }
            else if (index >= 0)
            {
                env[index] = entry;
            }
            else
            {
                env.Add(entry);
            }
        }
        return env;
    }
}
