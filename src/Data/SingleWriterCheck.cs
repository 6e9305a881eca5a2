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

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Check(command);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Check(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Check(command);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Check(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Check(command);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result,
        CancellationToken cancellationToken = default)
    {
        Check(command);
        return ValueTask.FromResult(result);
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
