using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Waybill.Persistence;

namespace Waybill.Server.Web;

/// <summary>
/// Keeps the Data Protection key ring in the database (<c>data_protection_keys</c>), so that a restart or another
/// replica reads the dashboard's session cookies and antiforgery tokens. Keys are written once and never changed; Data
/// Protection rotates by adding new ones.
/// </summary>
internal sealed class DatabaseXmlRepository(Storage storage) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var db = storage.CreateDb();
        return db.DataProtectionKeys.AsNoTracking().OrderBy(k => k.Id).Select(k => k.Xml).ToList().Select(XElement.Parse).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var db = storage.CreateDb();
        db.DataProtectionKeys.Add(new DataProtectionKeyRow { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
        db.SaveChanges();
    }
}
