namespace Waybill.Persistence;

/// <summary>
/// One ASP.NET Core Data Protection key (its XML), kept in the database so that the dashboard's session and antiforgery
/// cookies survive restarts and are read by every replica. Not a tenant's row: the keys protect the whole server.
/// </summary>
public sealed class DataProtectionKeyRow
{
    public int Id { get; set; }

    public string FriendlyName { get; set; } = "";

    public string Xml { get; set; } = "";
}
