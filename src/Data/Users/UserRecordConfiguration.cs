using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WebEngine.Data.Users;

internal sealed class UserRecordConfiguration : IEntityTypeConfiguration<UserRecord>
{
    public void Configure(EntityTypeBuilder<UserRecord> builder)
    {
        builder.ToTable("Users");
        builder.HasKey(u => u.Id);
        builder.HasIndex(u => u.Name).IsUnique();
        builder.HasMany(u => u.Tokens).WithOne(t => t.User).HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ApiTokenRecordConfiguration : IEntityTypeConfiguration<ApiTokenRecord>
{
    public void Configure(EntityTypeBuilder<ApiTokenRecord> builder)
    {
        builder.ToTable("ApiTokens");
        builder.HasKey(t => t.Id);
        builder.HasIndex(t => t.SecretHash).IsUnique();
        builder.HasIndex(t => new { t.UserId, t.Name }).IsUnique();
    }
}
