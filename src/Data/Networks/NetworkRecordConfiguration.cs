using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WebEngine.Data.Networks;

internal sealed class NetworkRecordConfiguration : IEntityTypeConfiguration<NetworkRecord>
{
    public void Configure(EntityTypeBuilder<NetworkRecord> builder)
    {
        builder.ToTable("Networks");
        builder.HasKey(n => n.Id);
        builder.HasIndex(n => n.Name).IsUnique();
    }
}

internal sealed class NetworkEndpointRecordConfiguration : IEntityTypeConfiguration<NetworkEndpointRecord>
{
    public void Configure(EntityTypeBuilder<NetworkEndpointRecord> builder)
    {
        builder.ToTable("NetworkEndpoints");
        builder.HasKey(e => new { e.NetworkId, e.ContainerId });
        builder.HasIndex(e => e.ContainerId);
        builder.HasOne<NetworkRecord>().WithMany().HasForeignKey(e => e.NetworkId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class PublishedPortRecordConfiguration : IEntityTypeConfiguration<PublishedPortRecord>
{
    public void Configure(EntityTypeBuilder<PublishedPortRecord> builder)
    {
        builder.ToTable("PublishedPorts");
        builder.HasKey(p => p.Id);
        builder.HasIndex(p => p.ContainerId);
        builder.HasIndex(p => new { p.Protocol, p.HostPort, p.HostIp }).IsUnique();
    }
}
