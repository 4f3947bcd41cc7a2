using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Waybill.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TrackingNumberIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_shipment_legs_tracking_number",
                table: "shipment_legs",
                column: "tracking_number");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_shipment_legs_tracking_number",
                table: "shipment_legs");
        }
    }
}
