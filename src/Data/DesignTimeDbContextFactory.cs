using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace WebEngine.Data;

/// <summary>Lets `dotnet ef migrations add` build the model without a running daemon.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<WebEngineDbContext>
{
    public WebEngineDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<WebEngineDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
