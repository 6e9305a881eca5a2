using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WebEngine.Data.Images;

internal sealed class ImageRecordConfiguration : IEntityTypeConfiguration<ImageRecord>
{
    public void Configure(EntityTypeBuilder<ImageRecord> builder)
    {
        builder.ToTable("Images");
        builder.HasKey(i => i.Id);
        builder.HasMany(i => i.Layers).WithOne().HasForeignKey(l => l.ImageId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(i => i.Tags).WithOne().HasForeignKey(t => t.ImageId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(i => i.Digests).WithOne().HasForeignKey(d => d.ImageId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ImageLayerRecordConfiguration : IEntityTypeConfiguration<ImageLayerRecord>
{
    public void Configure(EntityTypeBuilder<ImageLayerRecord> builder)
    {
        builder.ToTable("ImageLayers");
        builder.HasKey(l => new { l.ImageId, l.Position });
        builder.HasIndex(l => l.ChainId);
        builder.HasIndex(l => l.BlobDigest);
    }
}

internal sealed class ImageTagRecordConfiguration : IEntityTypeConfiguration<ImageTagRecord>
{
    public void Configure(EntityTypeBuilder<ImageTagRecord> builder)
    {
        builder.ToTable("ImageTags");
        builder.HasKey(t => t.Reference);
        builder.HasIndex(t => t.ImageId);
    }
}

internal sealed class ImageDigestRecordConfiguration : IEntityTypeConfiguration<ImageDigestRecord>
{
    public void Configure(EntityTypeBuilder<ImageDigestRecord> builder)
    {
        builder.ToTable("ImageDigests");
        builder.HasKey(d => d.Reference);
        builder.HasIndex(d => d.ImageId);
    }
}
