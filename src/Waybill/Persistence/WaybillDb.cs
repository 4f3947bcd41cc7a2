using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Waybill.Common;
using Waybill.Orders;
using Waybill.Shipping;
using Waybill.Tenancy;
using Waybill.Tracking;

namespace Waybill.Persistence;

/// <summary>
/// The one EF Core model. Each provider derives from it (<see cref="SqliteWaybillDb"/>, <see cref="PostgresWaybillDb"/>)
/// to hold its own migrations and the storage of times and money that sorts, compares and sums in SQL.
/// Rows of tenant-owned tables are visible only to the tenant set in <see cref="TenantId"/>.
/// </summary>
public abstract class WaybillDb(DbContextOptions options) : DbContext(options)
{
    /// <summary>The tenant whose rows this context sees. <see cref="Guid.Empty"/> sees no tenant's rows.</summary>
    public Guid TenantId { get; set; }

    public abstract DatabaseProvider Provider { get; }

    public DbSet<Tenant> Tenants => Set<Tenant>();

    public DbSet<Order> Orders => Set<Order>();

    public DbSet<OrderLine> OrderLines => Set<OrderLine>();

    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();

    public DbSet<Shipment> Shipments => Set<Shipment>();

    public DbSet<ShipmentLeg> ShipmentLegs => Set<ShipmentLeg>();

    public DbSet<TrackingEvent> TrackingEvents => Set<TrackingEvent>();

    public DbSet<Warehouse> Warehouses => Set<Warehouse>();

    public DbSet<Tenancy.TenantSettings> TenantSettings => Set<Tenancy.TenantSettings>();

    public DbSet<NumberSequence> NumberSequences => Set<NumberSequence>();

    public DbSet<Notifications.Notification> Notifications => Set<Notifications.Notification>();

    public DbSet<NotificationOutbox> NotificationOutbox => Set<NotificationOutbox>();

    public DbSet<Notifications.WebhookEndpoint> WebhookEndpoints => Set<Notifications.WebhookEndpoint>();

    /// <summary>The web server's Data Protection keys (dashboard sessions, antiforgery): shared by every replica.</summary>
    public DbSet<DataProtectionKeyRow> DataProtectionKeys => Set<DataProtectionKeyRow>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<CountryCode>().HaveConversion<CountryCodeConverter>().HaveMaxLength(2);
        configurationBuilder.Properties<Currency>().HaveConversion<CurrencyConverter>().HaveMaxLength(3);
        configurationBuilder.Properties<HsCode>().HaveConversion<HsCodeConverter>().HaveMaxLength(10);
        configurationBuilder.Properties<EmailAddress>().HaveConversion<EmailAddressConverter>().HaveMaxLength(254);
        configurationBuilder.Properties<OrderStatus>().HaveConversion<LowerCaseEnumConverter<OrderStatus>>().HaveMaxLength(20);
        configurationBuilder.Properties<LegRole>().HaveConversion<SnakeCaseEnumConverter<LegRole>>().HaveMaxLength(20);
        configurationBuilder.Properties<Incoterm>().HaveConversion<EnumToStringConverter<Incoterm>>().HaveMaxLength(3);
        ConfigureStorageConventions(configurationBuilder);
    }

    /// <summary>How times (UTC instants) and amounts are stored, so they sort, compare and sum in SQL.</summary>
    protected abstract void ConfigureStorageConventions(ModelConfigurationBuilder configurationBuilder);

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Tenant>(e =>
        {
            e.ToTable("tenants");
            e.HasKey(t => t.Id);
            e.Property(t => t.Name).HasMaxLength(200);
            e.Property(t => t.NameKey).HasMaxLength(200);
            e.HasIndex(t => t.NameKey).IsUnique();
            e.Property(t => t.ApiKeyHash).HasMaxLength(64);
            e.HasIndex(t => t.ApiKeyHash).IsUnique();
        });

        modelBuilder.Entity<Order>(e =>
        {
            e.ToTable("orders");
            e.HasKey(o => o.Id);
            e.HasQueryFilter(o => o.TenantId == TenantId);
            e.HasIndex(o => new { o.TenantId, o.Reference }).IsUnique();
            e.HasIndex(o => new { o.TenantId, o.Status, o.CreatedAt });
            e.HasIndex(o => new { o.TenantId, o.CreatedAt });
            e.Property(o => o.Reference).HasMaxLength(100);
            e.Property(o => o.BuyerName).HasMaxLength(200);
            e.Property(o => o.BuyerPhone).HasMaxLength(40);
            e.Property(o => o.BuyerLocale).HasMaxLength(35);
            e.Property(o => o.BuyerTimeZone).HasMaxLength(64);
            e.Property(o => o.ShipToName).HasMaxLength(200);
            e.Property(o => o.ShipToLine1).HasMaxLength(200);
            e.Property(o => o.ShipToLine2).HasMaxLength(200);
            e.Property(o => o.ShipToCity).HasMaxLength(100);
            e.Property(o => o.ShipToRegion).HasMaxLength(100);
            e.Property(o => o.ShipToPostalCode).HasMaxLength(20);
            e.Property(o => o.ContentHash).HasMaxLength(64);
            e.HasOne<Tenant>().WithMany().HasForeignKey(o => o.TenantId).OnDelete(DeleteBehavior.Restrict);
            e.HasMany(o => o.Lines).WithOne().HasForeignKey(l => l.OrderId).OnDelete(DeleteBehavior.Cascade);
            e.Navigation(o => o.Lines).UsePropertyAccessMode(PropertyAccessMode.Field);
            e.HasOne<Warehouse>().WithMany().HasForeignKey(o => o.WarehouseId).OnDelete(DeleteBehavior.Restrict);
            e.HasIndex(o => o.WarehouseId);
        });

        modelBuilder.Entity<DataProtectionKeyRow>(e =>
        {
            e.ToTable("data_protection_keys");
            e.HasKey(k => k.Id);
            e.Property(k => k.FriendlyName).HasMaxLength(200);
        });

        modelBuilder.Entity<NumberSequence>(e =>
        {
            e.ToTable("number_sequences");
            e.HasKey(n => n.Key);
            e.Property(n => n.Key).HasMaxLength(Shipping.NumberSequences.MaxKeyLength);
        });

        modelBuilder.Entity<Tenancy.TenantSettings>(e =>
        {
            e.ToTable("tenant_settings");
            e.HasKey(s => s.TenantId);
            e.HasQueryFilter(s => s.TenantId == TenantId);
            e.HasOne<Tenant>().WithOne().HasForeignKey<Tenancy.TenantSettings>(s => s.TenantId).OnDelete(DeleteBehavior.Cascade);
            e.Property(s => s.Version).IsConcurrencyToken();
        });

        modelBuilder.Entity<Warehouse>(e =>
        {
            e.ToTable("warehouses");
            e.HasKey(w => w.Id);
            e.HasQueryFilter(w => w.TenantId == TenantId);
            e.HasIndex(w => new { w.TenantId, w.Code }).IsUnique();
            e.Property(w => w.Code).HasMaxLength(AddWarehouse.MaxCodeLength);
            e.Property(w => w.Name).HasMaxLength(200);
            e.Property(w => w.Kind).HasConversion<string>().HasMaxLength(20);
            e.Property(w => w.AddressName).HasMaxLength(200);
            e.Property(w => w.AddressLine1).HasMaxLength(200);
            e.Property(w => w.AddressLine2).HasMaxLength(200);
            e.Property(w => w.AddressCity).HasMaxLength(100);
            e.Property(w => w.AddressRegion).HasMaxLength(100);
            e.Property(w => w.AddressPostalCode).HasMaxLength(20);
            e.HasOne<Tenant>().WithMany().HasForeignKey(w => w.TenantId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<OrderLine>(e =>
        {
            e.ToTable("order_lines");
            e.HasKey(l => l.Id);
            e.HasQueryFilter(l => l.TenantId == TenantId);
            e.HasIndex(l => new { l.OrderId, l.LineNumber }).IsUnique();
            e.Property(l => l.Sku).HasMaxLength(100);
            e.Property(l => l.Description).HasMaxLength(500);
            e.Property(l => l.DangerousGoods).HasMaxLength(100);
        });

        modelBuilder.Entity<IdempotencyRecord>(e =>
        {
            e.ToTable("idempotency_keys");
            e.HasKey(r => new { r.TenantId, r.Method, r.Path, r.Key });
            e.Property(r => r.Method).HasMaxLength(10);
            e.Property(r => r.Path).HasMaxLength(300);
            e.Property(r => r.Key).HasMaxLength(200);
            e.Property(r => r.RequestHash).HasMaxLength(64);
            e.Property(r => r.ContentType).HasMaxLength(100);
            e.Property(r => r.Location).HasMaxLength(500);
            e.HasIndex(r => r.CreatedAt);
        });

        modelBuilder.Entity<Shipment>(e =>
        {
            e.ToTable("shipments");
            e.HasKey(s => s.Id);
            e.HasQueryFilter(s => s.TenantId == TenantId);
            e.HasIndex(s => new { s.TenantId, s.CreatedAt });
            e.HasIndex(s => new { s.TenantId, s.Status });
            e.HasIndex(s => new { s.TenantId, s.Milestone });
            e.HasIndex(s => s.OrderId);
            e.HasIndex(s => s.CreatedAt); // the sandbox network finds new bookings of every tenant
            e.Property(s => s.LastEventCode).HasMaxLength(64);
            e.Property(s => s.Version).IsConcurrencyToken();
            e.HasOne<Tenant>().WithMany().HasForeignKey(s => s.TenantId).OnDelete(DeleteBehavior.Restrict);
            e.HasMany(s => s.Legs).WithOne().HasForeignKey(l => l.ShipmentId).OnDelete(DeleteBehavior.Cascade);
            e.Navigation(s => s.Legs).UsePropertyAccessMode(PropertyAccessMode.Field);
        });

        modelBuilder.Entity<ShipmentLeg>(e =>
        {
            e.ToTable("shipment_legs");
            e.HasKey(l => l.Id);
            e.HasQueryFilter(l => l.TenantId == TenantId);
            // A (carrier, number) belongs to one shipment per tenant.
            e.HasIndex(l => new { l.TenantId, l.Carrier, l.TrackingNumber }).IsUnique();
            e.HasIndex(l => new { l.TenantId, l.TrackingNumber });
            // The public tracking page finds a number across every seller (TrackStory.FindAsync).
            e.HasIndex(l => l.TrackingNumber);
            e.Property(l => l.Carrier).HasMaxLength(40);
            e.Property(l => l.Service).HasMaxLength(64);
            e.Property(l => l.TrackingNumber).HasMaxLength(64);
        });

        // The hot table of event ingest, kept lean: an integer key (SQLite's rowid) assigned by the writer, and one
        // index, on two 64-bit integers, that serves duplicates (unique), a leg's timeline and the events waiting for
        // a leg alike. Measured in docs/tracking.md.
        modelBuilder.Entity<TrackingEvent>(e =>
        {
            e.ToTable("tracking_events");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedNever();
            e.HasQueryFilter(x => x.TenantId == TenantId);
            e.HasIndex(x => new { x.LegKey, x.EventKey }).IsUnique();
            e.Property(x => x.Carrier).HasMaxLength(40);
            e.Property(x => x.TrackingNumber).HasMaxLength(64);
            e.Property(x => x.Code).HasMaxLength(64);
            e.Property(x => x.Description).HasMaxLength(500);
            e.Property(x => x.ExceptionReason).HasMaxLength(40);
            e.Property(x => x.City).HasMaxLength(100);
            e.Property(x => x.PostalCode).HasMaxLength(20);
            e.Ignore(x => x.LocalTime);
            // No foreign key to tenants: it would bring an index on tenant_id to every insert. The writer takes the
            // tenant from the authenticated request.
        });

        // The notifications' outbox and log. Unique by (shipment, kind, channel, occurrence): a decision made twice (a
        // replayed event, a restart) inserts nothing the second time. The worker finds due rows by (status, scheduled_for).
        // Decisions waiting to be logged (see NotificationOutbox): appended by the event writer, no index but the key.
        modelBuilder.Entity<NotificationOutbox>(e =>
        {
            e.ToTable("notification_outbox");
            e.HasKey(o => o.Seq);
            // Assigned by the database, never by EF (rows are appended by the writer's SQL): on SQLite the rowid, without
            // AUTOINCREMENT's extra write per insert (only the order of the rows present counts); on PostgreSQL an identity.
            e.Property(o => o.Seq).ValueGeneratedNever();
            e.Property(o => o.Audience).HasMaxLength(10);
            e.Property(o => o.Kind).HasMaxLength(30);
            e.Property(o => o.Channel).HasMaxLength(10);
            e.Property(o => o.Status).HasMaxLength(10);
            e.Property(o => o.Reason).HasMaxLength(500);
        });

        modelBuilder.Entity<Notifications.Notification>(e =>
        {
            e.ToTable("notifications");
            e.HasKey(n => n.Id);
            e.HasQueryFilter(n => n.TenantId == TenantId);
            // Shipment ids are unique across tenants, so the once-key needs no tenant; it also serves the foreign key.
            e.HasIndex(n => new { n.ShipmentId, n.Kind, n.Channel, n.Occurrence }).IsUnique();
            e.HasIndex(n => new { n.TenantId, n.CreatedAt });
            // The worker's queue: only rows still to send are in it (most rows end sent or skipped).
            e.HasIndex(n => new { n.Status, n.ScheduledFor }).HasFilter("status IN ('queued', 'held')");
            e.Property(n => n.Audience).HasMaxLength(10);
            e.Property(n => n.Kind).HasMaxLength(30);
            e.Property(n => n.Channel).HasMaxLength(10);
            e.Property(n => n.Status).HasMaxLength(10);
            e.Property(n => n.Locale).HasMaxLength(35);
            e.Property(n => n.Recipient).HasMaxLength(Waybill.Notifications.WebhookEndpoint.MaxUrlLength); // an email address or a webhook URL
            e.Property(n => n.Subject).HasMaxLength(500);
            e.Property(n => n.Reason).HasMaxLength(500);
            e.Property(n => n.LeaseOwner).HasMaxLength(64);
            e.HasOne<Shipment>().WithMany().HasForeignKey(n => n.ShipmentId).OnDelete(DeleteBehavior.Cascade);
            // An endpoint's deliveries, for its log; email rows (no endpoint) are not in it, so ingest pays nothing.
            e.HasIndex(n => new { n.EndpointId, n.CreatedAt }).HasFilter("endpoint_id IS NOT NULL");
        });

        // The sellers' webhook endpoints. The secret is stored as is: the server signs every delivery with it.
        modelBuilder.Entity<Notifications.WebhookEndpoint>(e =>
        {
            e.ToTable("webhook_endpoints");
            e.HasKey(w => w.Id);
            e.HasQueryFilter(w => w.TenantId == TenantId);
            e.HasIndex(w => new { w.TenantId, w.CreatedAt });
            e.Property(w => w.Url).HasMaxLength(Waybill.Notifications.WebhookEndpoint.MaxUrlLength);
            e.Property(w => w.Events).HasMaxLength(500);
            e.Property(w => w.Secret).HasMaxLength(100);
            e.Ignore(w => w.EventList);
            e.HasOne<Tenant>().WithMany().HasForeignKey(w => w.TenantId).OnDelete(DeleteBehavior.Restrict);
        });

        // snake_case tables and columns: SQL reads the same on both providers.
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(SnakeCase(property.Name));
            }
            foreach (var key in entity.GetKeys())
            {
                key.SetName(SnakeCase(key.GetDefaultName() ?? key.GetName()!));
            }
            foreach (var index in entity.GetIndexes())
            {
                if (index.GetDatabaseName() == index.GetDefaultDatabaseName())
                {
                    index.SetDatabaseName(SnakeCase(index.GetDefaultDatabaseName()!));
                }
            }
            foreach (var fk in entity.GetForeignKeys())
            {
                fk.SetConstraintName(SnakeCase(fk.GetDefaultName() ?? fk.GetConstraintName()!));
            }
        }
    }

    internal static string SnakeCase(string name)
    {
        var text = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && name[i - 1] != '_' && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]))))
                {
                    text.Append('_');
                }
                text.Append(char.ToLowerInvariant(c));
            }
            else
            {
                text.Append(c);
            }
        }
        return text.ToString();
    }

    /// <summary>
    /// At the start of a leg registration's transaction, before it touches any shipment: waits for the event writer's
    /// transaction under way (<see cref="EventStore.HoldLegRegistrationsAsync"/>), so that the two never lock a
    /// shipment and the legs in opposite orders.
    /// </summary>
    public abstract Task BeginLegRegistrationAsync(CancellationToken ct);

    /// <summary>
    /// True when the failure, or one it wraps, was a unique-constraint violation (a duplicate reference, a taken key),
    /// whether it came through EF's SaveChanges or a bulk write.
    /// </summary>
    public bool IsUniqueViolation(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (IsUniqueViolationError(e))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The provider's own unique-violation error.</summary>
    protected abstract bool IsUniqueViolationError(Exception exception);
}

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}
