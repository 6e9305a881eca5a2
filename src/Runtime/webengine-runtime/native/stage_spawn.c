/*
 * Starting a container stage (the runtime's own binary as init or exec) already inside the container's
 * cgroup, without the kernel's global cgroup lock.
 *
 * Writing a pid to cgroup.procs (or to a v1 tasks file) write-locks cgroup_threadgroup_rwsem, a per-cpu
 * rwsem: in the kernel's default mode the first write after a quiet spell waits for an RCU grace period
 * (7 to 11 ms on these machines, more than the whole rest of `run`). Two ways in skip that lock:
 *
 *   - clone3(CLONE_INTO_CGROUP) starts the child in a cgroup2 directory (the unified hierarchy of a
 *     hybrid host, or the only one of a v2 host);
 *   - a task that writes "0" (itself) to a v1 tasks file moves only itself, which the kernel does
 *     without the global lock. The child is single-threaded between clone3 and execve, so moving its
 *     one thread moves the whole process, and every thread .NET starts after the exec inherits it.
 *
 * The parent opens the cgroup2 directory and the tasks files before it joins the container's mount
 * namespace (for exec), and passes their fds. Nothing else runs in the child: it resets the signal
 * dispositions .NET installed, writes "0" to each tasks fd and execs. A failure is reported through a
 * close-on-exec pipe (the step and the errno) and the child exits 127.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* Steps a failure names (besides a tasks fd's index, 0 and up). */
#define STEP_EXEC (-1)
#define STEP_CLONE (-2)
#define STEP_PIPE (-3)

static void report_and_exit(int fd, int step, int error)
{
    int message[2] = { step, error };
    ssize_t ignored = write(fd, message, sizeof message);
    (void)ignored;
    _exit(127);
}

static void run_child(int report_fd, const char *path, char *const argv[], char *const envp[],
                      const int *tasks_fds, int tasks_count)
{
    struct sigaction default_action;
    memset(&default_action, 0, sizeof default_action);
    default_action.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP)
            sigaction(sig, &default_action, NULL); /* glibc's own real-time signals answer EINVAL: harmless */
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    for (int i = 0; i < tasks_count; i++) {
        ssize_t written;
        do
            written = write(tasks_fds[i], "0", 1);
        while (written < 0 && errno == EINTR);
        if (written < 0)
            report_and_exit(report_fd, i, errno);
    }
    execve(path, argv, envp);
    report_and_exit(report_fd, STEP_EXEC, errno);
}

/*
 * Starts path with argv and envp as a child of the calling thread (exit signal SIGCHLD). cgroup_fd, when
 * not -1, is a cgroup2 directory the child starts in; tasks_fds are v1 tasks files it moves itself into.
 * Returns the child's pid once it has exec'd, or -1 with *failed_step (STEP_* or a tasks index) and
 * *failed_errno set; a child that failed has been reaped.
 */
int webengine_spawn_stage(const char *path, char *const argv[], char *const envp[], int cgroup_fd,
                          const int *tasks_fds, int tasks_count, int *failed_step, int *failed_errno)
{
    int report[2];
    if (pipe2(report, O_CLOEXEC) < 0) {
        *failed_step = STEP_PIPE;
        *failed_errno = errno;
        return -1;
    }

    /* No signal handler of .NET's may run in the child before it resets them. */
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);

    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = CLONE_VFORK;
    args.exit_signal = SIGCHLD;
    if (cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t)cgroup_fd;
    }
    /* Without CLONE_VM the child runs on a copy of this stack, as after fork; CLONE_VFORK holds this
       thread until it has exec'd or exited. */
    long pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid == 0) {
        close(report[0]);
        run_child(report[1], path, argv, envp, tasks_fds, tasks_count);
    }
    int clone_errno = errno;
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    close(report[1]);
    if (pid < 0) {
        close(report[0]);
        *failed_step = STEP_CLONE;
        *failed_errno = clone_errno;
        return -1;
    }

    int message[2];
    ssize_t got;
    do
        got = read(report[0], message, sizeof message);
    while (got < 0 && errno == EINTR);
    close(report[0]);
    if (got == (ssize_t)sizeof message) {
        int status;
        while (waitpid((pid_t)pid, &status, 0) < 0 && errno == EINTR)
            ;
        *failed_step = message[0];
        *failed_errno = message[1];
        return -1;
    }
    return (int)pid;
}
