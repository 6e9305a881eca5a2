using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WebEngine.Data.Registries;

internal sealed class RegistryCredentialRecordConfiguration : IEntityTypeConfiguration<RegistryCredentialRecord>
{
    public void Configure(EntityTypeBuilder<RegistryCredentialRecord> builder)
    {
        builder.ToTable("RegistryCredentials");
        builder.HasKey(c => c.Registry);
    }
}
