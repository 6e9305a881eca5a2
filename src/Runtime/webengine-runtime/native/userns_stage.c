/*
 * The one piece of webengine-runtime that is C, after runc's nsexec: user namespaces need a
 * single-threaded process (unshare(CLONE_NEWUSER) and setns into a user namespace fail with EINVAL
 * in a multithreaded one), and a .NET process is never single-threaded once its runtime started.
 * This ELF constructor runs before the .NET runtime does, and only when the runtime started itself
 * as a container stage with one of these variables set (see Init/UserNamespaceStage.cs):
 *
 *   _WEBENGINE_USERNS=<flags>   init stage: unshare(CLONE_NEWUSER), ask the parent (over the stage
 *                               channel of _WEBENGINE_STAGE) to write uid_map/gid_map, become root
 *                               in the new namespace, unshare <flags> (the other namespaces, now
 *                               owned by it) and fork: the child, PID 1 of a new pid namespace,
 *                               goes on into .NET as the init; this process reports the child's
 *                               pid to the parent and exits.
 *   _WEBENGINE_USERNS_PATH=<path>  with _WEBENGINE_USERNS: the init joins this user namespace (setns)
 *                               instead of creating one, and the parent reads its maps instead of
 *                               writing them; the rest is the same (the other namespaces it unshares
 *                               are then owned by the joined one).
 *   _WEBENGINE_USERNS_JOIN=<path>  exec stage: setns into the container's user namespace.
 *
 * Messages use the stage channel's framing: a tag byte, a little-endian int32 length, the payload.
 * Everything else (mounts, capabilities, the exec fifo) stays in C#.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static int write_all(int fd, const void *data, size_t length)
{
    const char *p = data;
    while (length > 0) {
        ssize_t n = write(fd, p, length);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        length -= (size_t)n;
    }
    return 0;
}

static void send_frame(int fd, char tag, const void *payload, int32_t length)
{
    char header[5];
    header[0] = tag;
    memcpy(header + 1, &length, 4); /* x86_64 and aarch64 are little-endian */
    if (write_all(fd, header, 5) == 0 && length > 0)
        write_all(fd, payload, (size_t)length);
}

/* Reports "<operation>: <errno name>" as a stage error, the way the C# stages do, and exits. */
static void fail(int fd, const char *operation)
{
    char message[256];
    int saved = errno;
    snprintf(message, sizeof message, "%s: %s", operation, strerrorname_np(saved) ? strerrorname_np(saved) : "unknown errno");
    send_frame(fd, 'E', message, (int32_t)strlen(message));
    _exit(1);
}

static void join_user_namespace(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWUSER) < 0) {
        fprintf(stderr, "webengine-runtime exec: setns %s: %s\n", path, strerror(errno));
        _exit(1);
    }
    close(fd);
}

static void create_user_namespace(const char *flags_text, const char *join_path, const char *channel)
{
    int read_fd = -1, write_fd = -1;
    if (channel == NULL || sscanf(channel, "%d,%d", &read_fd, &write_fd) != 2) {
        fprintf(stderr, "webengine-runtime init: _WEBENGINE_USERNS without a stage channel\n");
        _exit(1);
    }
    int flags = (int)strtol(flags_text, NULL, 0);

    if (join_path != NULL) {
        int fd = open(join_path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            char operation[256];
            snprintf(operation, sizeof operation, "open user namespace %s", join_path);
            fail(write_fd, operation);
        }
        if (setns(fd, CLONE_NEWUSER) < 0) {
            char operation[256];
            snprintf(operation, sizeof operation, "setns user namespace %s", join_path);
            fail(write_fd, operation);
        }
        close(fd);
    } else if (unshare(CLONE_NEWUSER) < 0) {
        fail(write_fd, "unshare user namespace");
    }
    send_frame(write_fd, 'U', NULL, 0);
    char go;
    ssize_t n;
    do
        n = read(read_fd, &go, 1);
    while (n < 0 && errno == EINTR);
    if (n != 1 || go != 'G')
        _exit(1);
    if (setresgid(0, 0, 0) < 0)
        fail(write_fd, "setresgid 0 in the user namespace");
    if (setresuid(0, 0, 0) < 0)
        fail(write_fd, "setresuid 0 in the user namespace");
    if (flags != 0 && unshare(flags) < 0)
        fail(write_fd, "unshare namespaces in the user namespace");

    pid_t child = fork();
    if (child < 0)
        fail(write_fd, "fork the init into its pid namespace");
    if (child == 0)
        return;
    int32_t pid = child;
    send_frame(write_fd, 'P', &pid, 4);
    _exit(0);
}

__attribute__((constructor)) static void webengine_userns_stage(void)
{
    const char *join = getenv("_WEBENGINE_USERNS_JOIN");
    if (join != NULL) {
        join_user_namespace(join);
        unsetenv("_WEBENGINE_USERNS_JOIN");
        return;
    }
    const char *flags = getenv("_WEBENGINE_USERNS");
    if (flags != NULL) {
        create_user_namespace(flags, getenv("_WEBENGINE_USERNS_PATH"), getenv("_WEBENGINE_STAGE"));
        unsetenv("_WEBENGINE_USERNS");
        unsetenv("_WEBENGINE_USERNS_PATH");
    }
}
