using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Waybill.Notifications;

/// <summary>Where email goes: an SMTP server, or (the embedded default without one) <c>.eml</c> files on disk.</summary>
public interface IMailTransport
{
    /// <summary>Where the messages go, in words for the start-up log.</summary>
    string Description { get; }

    /// <summary>Opens a session for a batch of messages (an SMTP connection, kept for the batch).</summary>
    Task<IMailSession> OpenAsync(CancellationToken ct);
}

public interface IMailSession : IAsyncDisposable
{
    Task SendAsync(MimeMessage message, CancellationToken ct);
}

/// <summary>An SMTP server (<c>--smtp host:port</c>, with <c>--smtp-user</c> and <c>--smtp-password</c> when it asks).</summary>
public sealed record SmtpSettings(string Host, int Port, string? User, string? Password)
{
    /// <summary>Reads <c>host:port</c> (port 25 when absent); null with a reason when it is not that.</summary>
    public static SmtpSettings? Parse(string text, string? user, string? password, out string? error)
    {
        error = null;
        var value = text.Trim();
        var colon = value.LastIndexOf(':');
        var host = colon < 0 ? value : value[..colon];
        var port = 25;
        if (host.Length == 0 || (colon >= 0 && (!int.TryParse(value[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)))
        {
            error = $"--smtp '{text}' is not host:port (such as smtp.example.com:587).";
            return null;
        }
        return new SmtpSettings(host, port, string.IsNullOrEmpty(user) ? null : user, string.IsNullOrEmpty(password) ? null : password);
    }
}

public sealed class SmtpMailTransport(SmtpSettings settings) : IMailTransport
{
    public string Description => $"SMTP {settings.Host}:{settings.Port}";

    public async Task<IMailSession> OpenAsync(CancellationToken ct)
    {
        var client = new SmtpClient();
        try
        {
            // TLS when the server offers it (STARTTLS), plain otherwise: a relay on the same host often offers none.
            await client.ConnectAsync(settings.Host, settings.Port, SecureSocketOptions.StartTlsWhenAvailable, ct);
            if (settings.User is not null)
            {
                await client.AuthenticateAsync(settings.User, settings.Password ?? "", ct);
            }
            return new Session(client);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private sealed class Session(SmtpClient client) : IMailSession
    {
        public Task SendAsync(MimeMessage message, CancellationToken ct) => client.SendAsync(message, ct);

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (client.IsConnected)
                {
                    await client.DisconnectAsync(quit: true, CancellationToken.None);
                }
            }
            finally
            {
                client.Dispose();
            }
        }
    }
}

/// <summary>
/// Writes each message as an <c>.eml</c> file named by its Message-ID, written whole then renamed: a message sent twice
/// (a crash before it was recorded) is the same file again, and no reader sees half a file.
/// </summary>
public sealed class PickupDirectoryTransport(string directory) : IMailTransport
{
    public string Description => $"files in {directory} (no SMTP server configured: --smtp host:port)";

    public Task<IMailSession> OpenAsync(CancellationToken ct)
    {
        System.IO.Directory.CreateDirectory(directory);
        return Task.FromResult<IMailSession>(new Session(directory));
    }

    public static string FileNameOf(MimeMessage message) => $"{(message.MessageId ?? throw new ArgumentException("The message has no Message-ID.", nameof(message))).Replace('@', '_').Replace('/', '_')}.eml";

    private sealed class Session(string directory) : IMailSession
    {
        public async Task SendAsync(MimeMessage message, CancellationToken ct)
        {
            var path = Path.Combine(directory, FileNameOf(message));
            var temporary = path + ".tmp";
            await using (var file = File.Create(temporary))
            {
                await message.WriteToAsync(file, ct);
            }
            File.Move(temporary, path, overwrite: true);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
