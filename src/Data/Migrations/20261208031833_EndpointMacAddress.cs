using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WebEngine.Data.Migrations
{
    /// <inheritdoc />
    public partial class EndpointMacAddress : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "RequestedMacAddress",
                table: "NetworkEndpoints",
                type: "TEXT",
                nullable: false,
                defaultValue: "");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "RequestedMacAddress",
                table: "NetworkEndpoints");
        }
    }
}
