namespace WebEngine.Runtime.Init;

/// <summary>Sends a stage's failure to the parent so `create` or `exec` fails with the stage's own message.</summary>
public static class StageFailure
{
    public static int Report(StageChannel channel, Exception e)
    {
        var notFound = e is ContainerStageException { ProgramNotFound: true };
        try
        {
            channel.SendMessage(notFound ? StageChannel.NotFound : StageChannel.Error, e.Message);
        }
        catch (Exception)
        {
            Console.Error.WriteLine($"webengine-runtime: {e.Message}");
        }
        return notFound ? 127 : 1;
    }
}
