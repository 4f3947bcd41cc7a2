using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Waybill.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class DangerousGoods : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "dangerous_goods",
                table: "order_lines",
                type: "character varying(100)",
                maxLength: 100,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<bool>(
                name: "dangerous_goods_declared",
                table: "order_lines",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "dangerous_goods",
                table: "order_lines");

            migrationBuilder.DropColumn(
                name: "dangerous_goods_declared",
                table: "order_lines");
        }
    }
}
