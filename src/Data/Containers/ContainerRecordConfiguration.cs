using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WebEngine.Data.Containers;

internal sealed class ContainerRecordConfiguration : IEntityTypeConfiguration<ContainerRecord>
{
    public void Configure(EntityTypeBuilder<ContainerRecord> builder)
    {
        builder.ToTable("Containers");
        builder.HasKey(c => c.Id);
        builder.HasIndex(c => c.Name).IsUnique();
        builder.HasIndex(c => c.ImageId);
        builder.Property(c => c.Version).IsConcurrencyToken();
    }
}
