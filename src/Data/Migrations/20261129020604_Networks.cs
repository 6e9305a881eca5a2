using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WebEngine.Data.Migrations
{
    /// <inheritdoc />
    public partial class Networks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Networks",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Driver = table.Column<string>(type: "TEXT", nullable: false),
                    Bridge = table.Column<string>(type: "TEXT", nullable: false),
                    Subnet = table.Column<string>(type: "TEXT", nullable: false),
                    Gateway = table.Column<string>(type: "TEXT", nullable: false),
                    Internal = table.Column<bool>(type: "INTEGER", nullable: false),
                    Attachable = table.Column<bool>(type: "INTEGER", nullable: false),
                    LabelsJson = table.Column<string>(type: "TEXT", nullable: false),
                    OptionsJson = table.Column<string>(type: "TEXT", nullable: false),
                    SubnetGiven = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Networks", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "PublishedPorts",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ContainerId = table.Column<string>(type: "TEXT", nullable: false),
                    Protocol = table.Column<string>(type: "TEXT", nullable: false),
                    ContainerPort = table.Column<int>(type: "INTEGER", nullable: false),
                    HostIp = table.Column<string>(type: "TEXT", nullable: false),
                    HostPort = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PublishedPorts", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "NetworkEndpoints",
                columns: table => new
                {
                    NetworkId = table.Column<string>(type: "TEXT", nullable: false),
                    ContainerId = table.Column<string>(type: "TEXT", nullable: false),
                    EndpointId = table.Column<string>(type: "TEXT", nullable: false),
                    ContainerName = table.Column<string>(type: "TEXT", nullable: false),
                    Hostname = table.Column<string>(type: "TEXT", nullable: false),
                    AliasesJson = table.Column<string>(type: "TEXT", nullable: false),
                    RequestedAddress = table.Column<string>(type: "TEXT", nullable: false),
                    Address = table.Column<string>(type: "TEXT", nullable: false),
                    MacAddress = table.Column<string>(type: "TEXT", nullable: false),
                    Interface = table.Column<string>(type: "TEXT", nullable: false),
                    HostDevice = table.Column<string>(type: "TEXT", nullable: false),
                    Position = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_NetworkEndpoints", x => new { x.NetworkId, x.ContainerId });
                    table.ForeignKey(
                        name: "FK_NetworkEndpoints_Networks_NetworkId",
                        column: x => x.NetworkId,
                        principalTable: "Networks",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_NetworkEndpoints_ContainerId",
                table: "NetworkEndpoints",
                column: "ContainerId");

            migrationBuilder.CreateIndex(
                name: "IX_Networks_Name",
                table: "Networks",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PublishedPorts_ContainerId",
                table: "PublishedPorts",
                column: "ContainerId");

            migrationBuilder.CreateIndex(
                name: "IX_PublishedPorts_Protocol_HostPort_HostIp",
                table: "PublishedPorts",
                columns: new[] { "Protocol", "HostPort", "HostIp" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "NetworkEndpoints");

            migrationBuilder.DropTable(
                name: "PublishedPorts");

            migrationBuilder.DropTable(
                name: "Networks");
        }
    }
}
