using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Waybill.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Tracking : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "shipments",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    order_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    status = table.Column<int>(type: "INTEGER", nullable: false),
                    milestone = table.Column<int>(type: "INTEGER", nullable: true),
                    last_event_id = table.Column<long>(type: "INTEGER", nullable: true),
                    last_event_at = table.Column<long>(type: "INTEGER", nullable: true),
                    last_event_rank = table.Column<int>(type: "INTEGER", nullable: false),
                    last_event_code = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    expected_earliest = table.Column<long>(type: "INTEGER", nullable: true),
                    expected_latest = table.Column<long>(type: "INTEGER", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_shipments", x => x.id);
                    table.ForeignKey(
                        name: "fk_shipments_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "tracking_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    carrier = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    tracking_number = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    shipment_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    leg_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    code = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    description = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    status = table.Column<int>(type: "INTEGER", nullable: true),
                    milestone = table.Column<int>(type: "INTEGER", nullable: true),
                    exception_reason = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    unmapped = table.Column<bool>(type: "INTEGER", nullable: false),
                    occurred_at = table.Column<long>(type: "INTEGER", nullable: false),
                    offset_minutes = table.Column<int>(type: "INTEGER", nullable: false),
                    city = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    postal_code = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    country = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    leg_key = table.Column<long>(type: "INTEGER", nullable: false),
                    event_key = table.Column<long>(type: "INTEGER", nullable: false),
                    received_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_tracking_events", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "shipment_legs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    shipment_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    sequence = table.Column<int>(type: "INTEGER", nullable: false),
                    role = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    carrier = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    tracking_number = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_shipment_legs", x => x.id);
                    table.ForeignKey(
                        name: "fk_shipment_legs_shipments_shipment_id",
                        column: x => x.shipment_id,
                        principalTable: "shipments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_shipment_legs_shipment_id",
                table: "shipment_legs",
                column: "shipment_id");

            migrationBuilder.CreateIndex(
                name: "ix_shipment_legs_tenant_id_carrier_tracking_number",
                table: "shipment_legs",
                columns: new[] { "tenant_id", "carrier", "tracking_number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_shipment_legs_tenant_id_tracking_number",
                table: "shipment_legs",
                columns: new[] { "tenant_id", "tracking_number" });

            migrationBuilder.CreateIndex(
                name: "ix_shipments_order_id",
                table: "shipments",
                column: "order_id");

            migrationBuilder.CreateIndex(
                name: "ix_shipments_tenant_id_created_at",
                table: "shipments",
                columns: new[] { "tenant_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_shipments_tenant_id_milestone",
                table: "shipments",
                columns: new[] { "tenant_id", "milestone" });

            migrationBuilder.CreateIndex(
                name: "ix_shipments_tenant_id_status",
                table: "shipments",
                columns: new[] { "tenant_id", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_tracking_events_leg_key_event_key",
                table: "tracking_events",
                columns: new[] { "leg_key", "event_key" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "shipment_legs");

            migrationBuilder.DropTable(
                name: "tracking_events");

            migrationBuilder.DropTable(
                name: "shipments");
        }
    }
}
