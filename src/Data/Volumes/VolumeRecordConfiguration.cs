using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WebEngine.Data.Volumes;

internal sealed class VolumeRecordConfiguration : IEntityTypeConfiguration<VolumeRecord>
{
    public void Configure(EntityTypeBuilder<VolumeRecord> builder)
    {
        builder.ToTable("Volumes");
        builder.HasKey(v => v.Name);
    }
}
