using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace WebEngine.Data;

/// <summary>
/// Refuses a write statement (INSERT, UPDATE, DELETE, REPLACE: what SaveChanges, ExecuteDelete and ExecuteUpdate send)
/// outside <see cref="WebEngineDatabase.WriteAsync{T}"/>: such a write could meet another and sleep 150 ms in
/// Microsoft.Data.Sqlite's busy retry, so a new one fails loudly in the tests instead of slowly in production.
/// </summary>
internal sealed class SingleWriterCheck(WebEngineDatabase database) : DbCommandInterceptor
{
    private static readonly string[] WriteStatements = ["INSERT", "UPDATE", "DELETE", "REPLACE"];

    /// <summary>Runs once EF has set the command's text, before any way of executing it.</summary>
    public override DbCommand CommandInitialized(CommandEndEventData eventData, DbCommand result)
    {
        Check(result);
        return result;
    }

    private void Check(DbCommand command)
    {
        if (database.InWrite)
            return;
        var text = command.CommandText.AsSpan().TrimStart();
        foreach (var statement in WriteStatements)
        {
            if (text.StartsWith(statement, StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException(
                    $"a SQLite write outside WebEngineDatabase.WriteAsync (it could meet another writer and wait 150 ms): {text[..Math.Min(text.Length, 80)]}");
        }
    }
}
