using System.Runtime.InteropServices;
using WebEngine.Linux;

namespace WebEngine.Runtime.Cli;

/// <summary>Foreground `run` passes the signals it receives on to the container's init, as runc does.</summary>
public sealed class SignalForwarder : IDisposable
{
    private static readonly int[] Forwarded = [1, 2, 3, 10, 12, 15, 28]; // HUP INT QUIT USR1 USR2 TERM WINCH

    private readonly List<PosixSignalRegistration> _registrations = [];

    public SignalForwarder(int pid)
    {
        foreach (var signal in Forwarded)
        {
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
