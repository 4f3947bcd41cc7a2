using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Waybill.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Booking : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<decimal>(
                name: "price_amount",
                table: "shipments",
                type: "numeric(19,4)",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "price_currency",
                table: "shipments",
                type: "character varying(3)",
                maxLength: 3,
                nullable: true);

            migrationBuilder.AddColumn<decimal>(
                name: "price_amount",
                table: "shipment_legs",
                type: "numeric(19,4)",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "price_currency",
                table: "shipment_legs",
                type: "character varying(3)",
                maxLength: 3,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "service",
                table: "shipment_legs",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "price_amount",
                table: "shipments");

            migrationBuilder.DropColumn(
                name: "price_currency",
                table: "shipments");

            migrationBuilder.DropColumn(
                name: "price_amount",
                table: "shipment_legs");

            migrationBuilder.DropColumn(
                name: "price_currency",
                table: "shipment_legs");

            migrationBuilder.DropColumn(
                name: "service",
                table: "shipment_legs");
        }
    }
}
