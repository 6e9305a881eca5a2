using Microsoft.EntityFrameworkCore;
using WebEngine.Data.Images;
using WebEngine.Data.Registries;

namespace WebEngine.Data;

/// <summary>The daemon's state in one SQLite database; each area adds its DbSets and an entity configuration here.</summary>
public sealed class WebEngineDbContext(DbContextOptions<WebEngineDbContext> options) : DbContext(options)
{
    public DbSet<ImageRecord> Images => Set<ImageRecord>();
    public DbSet<ImageLayerRecord> ImageLayers => Set<ImageLayerRecord>();
    public DbSet<ImageTagRecord> ImageTags => Set<ImageTagRecord>();
    public DbSet<ImageDigestRecord> ImageDigests => Set<ImageDigestRecord>();
    public DbSet<RegistryCredentialRecord> RegistryCredentials => Set<RegistryCredentialRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(WebEngineDbContext).Assembly);
}
