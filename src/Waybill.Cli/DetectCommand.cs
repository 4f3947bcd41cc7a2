using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Waybill.Tracking.Detection;

namespace Waybill.Cli;

/// <summary>
/// <c>waybill detect FILE|-</c>: for each input line, the line as given, a TAB, and the couriers it is a valid number
/// of (sorted, comma-separated; empty when none). Reads and writes as a stream; opens no storage and starts no host,
/// so a large file costs little more than the detection itself.
/// </summary>
internal static class DetectCommand
{
    private const int BufferSize = 1 << 16;

    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<string>("FILE") { Description = "One tracking number per line (UTF-8), or - for standard input." };
        var detect = new Command("detect", "Prints each line, a TAB and the couriers it is a valid tracking number of (check digit and format rules hold), sorted and comma-separated.") { file };
        detect.SetAction((parse, ct) => Task.FromResult(Run(parse.GetValue(file)!, stdout, stderr, ct)));
        return detect;
    }

    private static int Run(string path, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        if (path != "-" && !File.Exists(path))
        {
            stderr.WriteLine($"error: no file at {path}.");
            return 1;
        }
        CarrierRegistry registry;
        try
        {
            registry = CarrierRegistry.Default;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or JsonException or RegexParseException or TypeInitializationException)
        {
            stderr.WriteLine($"error: the carrier data cannot be read ({ex.GetBaseException().Message}). It ships in data/carriers beside the executable: rebuild or reinstall waybill.");
            return 1;
        }

        var watch = Stopwatch.StartNew();
        long lines = 0;
        long detected = 0;
        // Console.Out flushes on every write; a buffered stream writer does not.
        var console = ReferenceEquals(stdout, Console.Out);
        var output = console ? new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), BufferSize) : stdout;
        try
        {
            using var input = path == "-"
                ? Console.OpenStandardInput()
                : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan);
            using var reader = new StreamReader(input, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, BufferSize);
            while (reader.ReadLine() is { } line)
            {
                var couriers = registry.Detect(line);
                output.Write(line);
                output.Write('\t');
                output.WriteLine(registry.Join(couriers));
                lines++;
                detected += couriers.IsEmpty ? 0 : 1;
                if ((lines & 0xFFFF) == 0)
                {
                    ct.ThrowIfCancellationRequested();
                }
            }
            output.Flush();
        }
        catch (IOException ex)
        {
            stderr.WriteLine($"error: {ex.Message} (after {lines} lines).");
            return 1;
        }
        finally
        {
            if (console)
            {
                output.Dispose();
            }
        }
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"detect: {lines} lines, {detected} with a courier, {watch.Elapsed.TotalSeconds:F2} s"));
        return 0;
    }
}
