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

struct child_context {
    int report_fd;
    const char *path;
    char *const *argv;
    char *const *envp;
    const int *tasks_fds;
    int tasks_count;
};

static int child_entry(void *argument)
{
    struct child_context *context = argument;
    run_child(context->report_fd, context->path, context->argv, context->envp, context->tasks_fds, context->tasks_count);
    return 127;
}

/*
 * clone3 with CLONE_VM | CLONE_VFORK, as posix_spawn clones: the child borrows this process's memory on a stack of
 * its own until it execs, so nothing is copied (a fork-like clone copied the page tables and left every page
 * copy-on-write: 4% more cpu for `run`). The child starts on the new stack with the registers of the syscall, so the
 * call into fn must be made right there, in assembly; glibc 2.36 exports no clone3 wrapper that takes a function.
 * Returns the pid or -errno.
 */
#if defined(__x86_64__)
#define HAVE_CLONE3_VM 1
static long clone3_vm(struct clone_args *args, int (*fn)(void *), void *argument)
{
    long result;
    register int (*fn_register)(void *) __asm__("r12") = fn;
    register void *argument_register __asm__("r13") = argument;
    __asm__ volatile(
        "syscall\n\t"
        "test %%rax, %%rax\n\t"
        "jnz 1f\n\t"
        /* The child: a fresh stack, no frame above it. */
        "xor %%ebp, %%ebp\n\t"
        "mov %%r13, %%rdi\n\t"
        "call *%%r12\n\t"
        "mov %%eax, %%edi\n\t"
        "mov $60, %%eax\n\t" /* exit */
        "syscall\n\t"
        "hlt\n\t"
        "1:"
        : "=a"(result)
        : "0"((long)SYS_clone3), "D"(args), "S"(sizeof *args), "r"(fn_register), "r"(argument_register)
        : "rcx", "r11", "memory");
    return result;
}
#endif

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
    /* CLONE_VFORK holds this thread until the child has exec'd or exited. */
#ifdef HAVE_CLONE3_VM
    /* This thread is suspended while the child runs, so its stack can lend the child a region. */
    char stack[32768] __attribute__((aligned(16)));
    struct child_context context = { report[1], path, argv, envp, tasks_fds, tasks_count };
    args.flags |= CLONE_VM;
    args.stack = (uint64_t)(uintptr_t)stack;
    args.stack_size = sizeof stack;
    long pid = clone3_vm(&args, child_entry, &context);
    if (pid < 0) {
        errno = (int)-pid;
        pid = -1;
    }
#else
    /* Elsewhere the child runs on a copy of this stack, as after fork. */
    long pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid == 0) {
        close(report[0]);
        run_child(report[1], path, argv, envp, tasks_fds, tasks_count);
    }
#endif
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
