using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WebEngine.Data.Migrations
{
    /// <inheritdoc />
    public partial class ContainerHealth : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "HealthJson",
                table: "Containers",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "HealthJson",
                table: "Containers");
        }
    }
}
