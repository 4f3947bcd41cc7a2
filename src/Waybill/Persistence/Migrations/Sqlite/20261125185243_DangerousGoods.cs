using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Waybill.Persistence.Migrations.Sqlite
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
                type: "TEXT",
                maxLength: 100,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<bool>(
                name: "dangerous_goods_declared",
                table: "order_lines",
                type: "INTEGER",
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
