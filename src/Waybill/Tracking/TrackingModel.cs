namespace Waybill.Tracking;

/// <summary>Where a parcel is, in words every carrier's events are normalised to. Declared in rank order.</summary>
public enum TrackingStatus
{
    Pending,
    InfoReceived,
    InTransit,
    OutForDelivery,
    FailedAttempt,
    AvailableForPickup,
    Exception,
    Delivered,
    Expired,
}

/// <summary>
/// The cross-border milestones sellers and buyers care about, in rank order: a shipment's milestone is the
/// highest-ranked one any of its legs reached.
/// </summary>
public enum Milestone
{
    Posted = 1,
    DepartedOriginHub,
    ExportCustoms,
    DepartedOriginCountry,
    ArrivedDestinationCountry,
    AtImportCustoms,
    CustomsHeld,
    CustomsCleared,
    AtDeliveryOffice,
    OutForDelivery,
    DeliveryAttempted,
    AvailableForPickup,
    Delivered,
    ReturnedToSender,
}

/// <summary>The role of a leg in a shipment's journey.</summary>
public enum LegRole
{
    FirstMile,
    LineHaul,
    LastMile,

    /// <summary>One carrier all the way (a post's or an express service's door to door).</summary>
    EndToEnd,
}

/// <summary>Wire names: snake_case (<c>in_transit</c>, <c>at_import_customs</c>).</summary>
public static class TrackingNames
{
    public static string Of(TrackingStatus status) => Persistence.WaybillDb.SnakeCase(status.ToString());

    public static string Of(Milestone milestone) => Persistence.WaybillDb.SnakeCase(milestone.ToString());

    public static string Of(LegRole role) => Persistence.WaybillDb.SnakeCase(role.ToString());

    public static bool TryParse<T>(string? text, out T value)
        where T : struct, Enum
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text) || text.Any(char.IsDigit))
        {
            return false;
        }
        return Enum.TryParse(text.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out value) && Enum.IsDefined(value);
    }
}
