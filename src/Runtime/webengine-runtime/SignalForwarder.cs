using System.Runtime.InteropServices;
using WebEngine.Linux;

namespace WebEngine.Runtime.Cli;

/// <summary>Foreground `run` passes the signals it receives on to the container's init, as runc does.</summary>
public sealed class SignalForwarder : IDisposable
{
    private const int SIGWINCH = 28;
    private static readonly int[] Forwarded = [1, 2, 3, 10, 12, 15, SIGWINCH]; // HUP INT QUIT USR1 USR2 TERM WINCH

    private readonly List<PosixSignalRegistration> _registrations = [];

    /// <param name="forwardWindowChange">False when a <see cref="TerminalProxy"/> handles SIGWINCH: it resizes the
    /// container's pty, and the kernel signals the container.</param>
    public SignalForwarder(int pid, bool forwardWindowChange = true)
    {
        foreach (var signal in Forwarded)
        {
            if (signal == SIGWINCH && !forwardWindowChange)
                continue;
            _registrations.Add(PosixSignalRegistration.Create((PosixSignal)signal, context =>
            {
                context.Cancel = true;
                Libc.Kill(pid, signal);
            }));
        }
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
            registration.Dispose();
    }
}
