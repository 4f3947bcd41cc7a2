using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Waybill.Common;
using Waybill.Customs;
using Waybill.Orders;
using Waybill.Persistence;
using Waybill.Tenancy;

namespace Waybill.Bench;

/// <summary>
/// Landed-cost quotes. First the in-memory calculator on one thread: quotes of 1 to 3 lines (random HS 2022
/// subheadings, origins, values) to every destination of the rule book and 40 others, on dates from 2024-07 to 2028-12,
/// by post and courier, DDP and DAP, in EUR, USD and GBP; printed as <c>quotes/s: N</c> beside a baseline loop that only
/// converts and sums the same lines. Then the HTTP endpoint on a real Kestrel port against <c>/health/live</c>
/// (a liveness answer that does no work), the same client and concurrency, alternating rounds; printed as
/// <c>ratio: R</c> (quote requests/s over liveness requests/s). Targets: 1,000,000 quotes/s; ratio 0.7.
/// </summary>
internal static class QuotesBench
{
    private const int Clients = 32;

    /// <summary>Each client's buffer for the answers it reads, made once (not per round: the rounds are short).</summary>
    private static readonly byte[][] AnswerBuffers = [.. Enumerable.Range(0, Clients).Select(_ => new byte[64 * 1024])];

    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);

    private static readonly string[] Destinations =
    [
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO",
        "SE", "SI", "SK", "GB", "US", "CA", "AU", "NZ", "NO", "CH", "JP", "SG", "KR", "SA", "AE", "TR", "IN", "BR", "MX", "CN", "HK", "IL", "TH",
        "MY", "ID", "PH", "ZA", "IS", "CL", "AR", "CO", "PE", "EG", "MA", "NG", "KE", "VN", "TW", "UA", "RS", "QA",
    ];

    private static readonly string[] Origins = ["CN", "US", "GB", "DE", "JP", "VN", "IN", "TR", "FR", "IT", "MX", "KR"];
    private static readonly string[] Currencies = ["EUR", "USD", "GBP"];

    public static async Task RunAsync(string[] args)
    {
        var seconds = Option(args, "--seconds", 5);
        var random = new Random(6);
        var subheadings = HsNomenclature.Default.Subheadings.Select(s => s.Digits).ToArray();
        var requests = Enumerable.Range(0, 20_000).Select(_ => Request(random, subheadings)).ToList();
        var calculator = LandedCostCalculator.Default;
        var quotes = requests;
        var today = new DateOnly(2026, 12, 4);
        var valid = quotes.Select(q => QuoteLandedCost.Validate(q, today, SchemeRegistrations.Defaults)).Where(r => r.IsSuccess).Select(r => r.Value).ToList();
        var refused = valid.Count(r => !calculator.Quote(r).IsSuccess);
        Console.Error.WriteLine($"quotes: {valid.Count:N0} requests to {Destinations.Length} destinations ({refused:N0} refused: embargo or prohibited goods), {seconds} s per measure");

        if (!args.Contains("--http-only"))
        {
            var rate = Measure(valid, seconds, r => calculator.Quote(r).IsSuccess ? 1 : 0);
            var baselineRate = Measure(valid, seconds, Baseline);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"quotes/s: {rate:F0} | baseline (convert and sum the lines only): {baselineRate:F0}/s | target >= 1000000: {(rate >= 1_000_000 ? "met" : "MISSED")}"));
        }

        Stages(quotes, today);
        if (args.Contains("--stages-only"))
        {
            return;
        }
        await HttpRatioAsync(quotes, seconds, args);
    }

    /// <summary>
    /// The quote endpoint's own three stages on one thread, without HTTP: reading the body into the checked request, the
    /// calculator, and writing the answer's JSON; printed (to standard error) as microseconds per quote, so that a change
    /// to one stage can be judged apart from the framework's and the machine's noise.
    /// </summary>
    private static void Stages(List<LandedCostInput> quotes, DateOnly today)
    {
        var context = new QuoteLandedCost.Context(today, SchemeRegistrations.Defaults);
        var bodies = quotes.Select(q => new ReadOnlySequence<byte>(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(q, Json))).ToArray();
        var read = new QuoteRequest?[bodies.Length];
        var answers = new LandedCostAnswer?[bodies.Length];
        var output = new ArrayBufferWriter<byte>(8192);
        var bytesPerQuote = new List<long>();
        double Time(Action<int> stage)
        {
            // Warm-up passes for two seconds, so that the JIT's last tier runs the stage.
            var warmUp = Stopwatch.StartNew();
            while (warmUp.Elapsed.TotalSeconds < 2)
            {
                for (var i = 0; i < bodies.Length; i++)
                {
                    stage(i);
                }
            }
            var best = double.MaxValue;
            for (var round = 0; round < 5; round++)
            {
                var watch = Stopwatch.StartNew();
                for (var i = 0; i < bodies.Length; i++)
                {
                    stage(i);
                }
                best = Math.Min(best, watch.Elapsed.TotalMicroseconds / bodies.Length);
            }
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < bodies.Length; i++)
            {
                stage(i);
            }
            bytesPerQuote.Add((GC.GetAllocatedBytesForCurrentThread() - allocated) / bodies.Length);
            return best;
        }
        var readUs = Time(i => read[i] = Waybill.Server.QuoteBodyReader.TryReadValid(bodies[i], context, out var r) ? r : null);
        var quoteUs = Time(i => answers[i] = read[i] is { } r && QuoteLandedCost.Handler.Answer(r) is { IsSuccess: true } a ? a.Value : null);
        var writeUs = Time(i =>
        {
            output.ResetWrittenCount();
            answers[i]?.WriteJson(output);
        });
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"endpoint stages per quote (one thread, best of 5 passes): read the body {readUs:F2} us ({read.Count(r => r is not null)} of {bodies.Length} by the fast reader), quote {quoteUs:F2} us, write the answer {writeUs:F2} us; allocated {string.Join(", ", bytesPerQuote)} bytes"));
    }

    private static double Measure(List<QuoteRequest> requests, int seconds, Func<QuoteRequest, int> work)
    {
        // Warm up as long as the measure itself (at least 3 s): the JIT's tiers (instrumented code, then the optimized code
        // its profile guides) take seconds to settle, and a checkout server runs in that steady state. Then count whole
        // passes over the requests until the time is up.
        var warmUp = Stopwatch.StartNew();
        while (warmUp.Elapsed.TotalSeconds < Math.Max(3, seconds))
        {
            for (var i = 0; i < requests.Count; i++)
            {
                work(requests[i]);
            }
        }
        var watch = Stopwatch.StartNew();
        long done = 0;
        var sink = 0;
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            for (var i = 0; i < requests.Count; i++)
            {
                sink += work(requests[i]);
            }
            done += requests.Count;
        }
        GC.KeepAlive(sink);
        return done / watch.Elapsed.TotalSeconds;
    }

    private static int Baseline(QuoteRequest request)
    {
        var sum = 0m;
        foreach (var line in request.Lines)
        {
            sum += line.UnitValue * line.Quantity;
        }
        return decimal.Round(sum + request.Shipping, 2) > 0 ? 1 : 0;
    }

    private static async Task HttpRatioAsync(List<LandedCostInput> quotes, int seconds, string[] args)
    {
        var directory = Directory.CreateTempSubdirectory("waybill-bench-quotes-").FullName;
        var app = Waybill.Server.WaybillServer.Build(["--no-demo", "--urls", "http://127.0.0.1:0", "--data-dir", directory, "--Logging:LogLevel:Default", "Warning"]);
        // --ceiling: an endpoint of the bench's own (not the product's) behind the same middleware, that reads the body as
        // the quote endpoint does and answers a fixed quote answer of the average size: what the ratio would be if
        // parsing, quoting and writing cost nothing.
        var ceiling = args.Contains("--ceiling");
        byte[] fixedAnswer = [];
        if (ceiling)
        {
            app.MapPost("/v1/bench/fixed-answer", async context =>
            {
                // Read to its end as the quote endpoint reads it (the whole body stays in the pipe until its declared
                // length is there), then consumed.
                var reader = context.Request.BodyReader;
                ReadResult read;
                do
                {
                    read = await reader.ReadAsync(context.RequestAborted);
                }
                while (!Waybill.Server.LandedCostEndpoints.IsWhole(context.Request, reader, read));
                reader.AdvanceTo(read.Buffer.End);
                context.Response.ContentType = "application/json; charset=utf-8";
                context.Response.ContentLength = fixedAnswer.Length;
                context.Response.BodyWriter.Write(fixedAnswer);
            });
        }
        await app.StartAsync();
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            string key;
            using (var scope = app.Services.CreateScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<WaybillDb>();
                key = (await new AddTenant.Handler(db, TimeProvider.System).HandleAsync(new AddTenant.Request("bench-quotes"), CancellationToken.None)).Value.ApiKey;
            }
            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Clients };
            using var client = new HttpClient(handler) { BaseAddress = new Uri(address) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            var check = await client.PostAsJsonAsync("/v1/landed-cost/quotes", quotes[0]);
            if (!check.IsSuccessStatusCode && (int)check.StatusCode != 422)
            {
                throw new InvalidOperationException($"quote endpoint answered {(int)check.StatusCode}: {await check.Content.ReadAsStringAsync()}");
            }

            // Alternating rounds, so that both see the same machine state; each request's answer is read whole. The client
            // shares the machine, and its own work is not the server's: the bodies are serialized once beforehand, and each
            // answer is read into the worker's own buffer rather than into a new array (as a load generator such as wrk does).
            var bodies = quotes.Select(q => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(q, Json)).ToArray();
            Task<HttpResponseMessage> Live(HttpClient c, int i) => c.GetAsync("/health/live", HttpCompletionOption.ResponseHeadersRead);
            Task<HttpResponseMessage> Post(HttpClient c, string path, int i)
            {
                // The media type as the header's text, not as a parsed value the client would format again per request.
                var content = new ByteArrayContent(bodies[i % bodies.Length]);
                content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
                return c.SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = content }, HttpCompletionOption.ResponseHeadersRead);
            }
            Task<HttpResponseMessage> Quote(HttpClient c, int i) => Post(c, "/v1/landed-cost/quotes", i);
            Task<HttpResponseMessage> Fixed(HttpClient c, int i) => Post(c, "/v1/bench/fixed-answer", i);

            var answers = new List<byte[]>();
            for (var i = 0; i < 100; i++)
            {
                using var sample = await Quote(client, i);
                answers.Add(await sample.Content.ReadAsByteArrayAsync());
            }
            var averageAnswer = answers.Average(a => a.Length);
            Console.Error.WriteLine($"quote requests: {bodies.Take(100).Average(b => b.Length):F0} bytes on average; answers: {averageAnswer:F0} bytes");
            fixedAnswer = answers.MinBy(a => Math.Abs(a.Length - averageAnswer))!;

            // Warm-up: both endpoints run until the JIT has compiled their hot paths at its last tier (steady state, as
            // in production), so that the rounds compare the endpoints' work and not how long each took to warm up. Under
            // this load the JIT's background thread competes with the clients for the two cores, so a fixed time is not
            // enough: each endpoint runs until a whole second passes without the JIT compiling a method (at most 30 s).
            var warmUp = Math.Max(2, seconds / 2.0);
            await WarmUpAsync(client, warmUp, Live);
            await WarmUpAsync(client, warmUp, Quote);
            if (ceiling)
            {
                await WarmUpAsync(client, warmUp, Fixed);
            }
            await WarmUpAsync(client, 1, Live);
            // Pairs of short rounds (a quarter of a second unless --round says otherwise), the order within a pair alternating
            // (so that a drift in the machine's speed falls on both endpoints alike); the ratio is the median of the pairs'
            // ratios. This machine's speed changes within a second (a shared virtual machine): two long rounds swung the
            // ratio by 0.1 and more, and pairs of one-second rounds spread from 0.45 to 0.93 within one run, where pairs of
            // quarter-second rounds, over the same total time, mostly stay within 0.66 to 0.78 (docs/customs.md#speed).
            // 120 pairs (a minute of rounds) unless --pairs says otherwise: with 40, the median itself moved by about 0.02
            // from run to run of the same build; the printed 95% interval says how far it may be off in this run.
            var round = Option(args, "--round", 0.25);
            var pairs = Math.Max(5, Option(args, "--pairs", 120));
            double live = 0, quote = 0;
            var ratios = new List<double>();
            var liveCost = new Cost();
            var quoteCost = new Cost();
            var ceilings = new List<double>();
            for (var p = 0; p < pairs; p++)
            {
                // With --ceiling, the fixed answer's round goes before the pair or after it, beside the liveness round.
                double l, q, f;
                if (p % 2 == 0)
                {
                    f = ceiling ? await LoadAsync(client, round, Fixed) : 0;
                    l = await LoadAsync(client, round, Live, liveCost);
                    q = await LoadAsync(client, round, Quote, quoteCost);
                }
                else
                {
                    q = await LoadAsync(client, round, Quote, quoteCost);
                    l = await LoadAsync(client, round, Live, liveCost);
                    f = ceiling ? await LoadAsync(client, round, Fixed) : 0;
                }
                live += l;
                quote += q;
                ratios.Add(q / l);
                ceilings.Add(f / l);
            }
            var (ratio, low, high) = MedianWithInterval(ratios);
            Console.Error.WriteLine($"allocated per request (client and server): /health/live {liveCost.BytesPerRequest} bytes, quote {quoteCost.BytesPerRequest} bytes"
                + (liveCost.Skipped + quoteCost.Skipped > 0 ? $" ({liveCost.Skipped + quoteCost.Skipped} rounds left out: the runtime's count of allocated bytes went back in them)" : "") + "; "
                + $"garbage collections (gen0/gen1/gen2): /health/live {liveCost.Collections}, quote {quoteCost.Collections}");
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ratio per pair of {round:0.###} s rounds ({pairs} pairs): {string.Join(' ', ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))}; over all rounds {quote / live:F2}"));
            if (ceiling)
            {
                var top = Median(ceilings);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"ceiling (the same bodies read, a fixed answer of {fixedAnswer.Length} bytes, the same middleware): {top:F3} (median of {pairs} pairs); the quote's ratio is {ratio / top:F2} of it"));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"quote endpoint: {quote / pairs:F0} requests/s | baseline /health/live: {live / pairs:F0} requests/s | ratio: {ratio:F3} (median of {pairs} pairs, 95% interval {low:F3} to {high:F3}) | target >= 0.7: {(ratio >= 0.7 ? "met" : "MISSED")}"));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held by the closing server: the temporary directory is left behind.
            }
        }
    }

    /// <summary>
    /// The median of <paramref name="values"/> (sorted in place) and a 95% confidence interval for it that assumes
    /// nothing of their distribution: the order statistics n/2 ± 1.96 √n / 2 (the count of values below the true median
    /// is binomial, n and ½).
    /// </summary>
    private static (double Median, double Low, double High) MedianWithInterval(List<double> values)
    {
        var median = Median(values);
        var half = 1.96 * Math.Sqrt(values.Count) / 2;
        var low = Math.Max(0, (int)Math.Floor((values.Count / 2.0) - half));
        var high = Math.Min(values.Count - 1, (int)Math.Ceiling((values.Count / 2.0) + half) - 1);
        return (median, values[low], values[high]);
    }

    /// <summary>The median of <paramref name="values"/> (sorted in place).</summary>
    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }

    private static async Task WarmUpAsync(HttpClient client, double seconds, Func<HttpClient, int, Task<HttpResponseMessage>> send)
    {
        var watch = Stopwatch.StartNew();
        await LoadAsync(client, seconds, send);
        var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
        while (watch.Elapsed.TotalSeconds < 30)
        {
            await LoadAsync(client, 1, send);
            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now == compiled)
            {
                return;
            }
            compiled = now;
        }
    }

    /// <summary>What a run of rounds cost the process beyond time: bytes allocated and collections, per generation.</summary>
    private sealed class Cost
    {
        public long Requests { get; set; }

        public long Bytes { get; set; }

        /// <summary>Rounds left out of the bytes: the runtime's count of allocated bytes went back during them.</summary>
        public int Skipped { get; set; }

        public int[] Gen { get; } = new int[3];

        public string BytesPerRequest => Requests == 0 ? "n/a" : string.Create(CultureInfo.InvariantCulture, $"{(double)Bytes / Requests:F0}");

        /// <summary>Adds a round's requests and bytes, unless the bytes went back (they do when the collector's adaptation drops a heap and its count).</summary>
        public void Add(long requests, long bytes)
        {
            if (bytes < 0)
            {
                Skipped++;
                return;
            }
            Requests += requests;
            Bytes += bytes;
        }

        public string Collections => string.Join('/', Gen);
    }

    private static async Task<double> LoadAsync(HttpClient client, double seconds, Func<HttpClient, int, Task<HttpResponseMessage>> send, Cost? cost = null)
    {
        var bytesBefore = GC.GetTotalAllocatedBytes(precise: true);
        int[] gcBefore = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        var watch = Stopwatch.StartNew();
        long done = 0;
        long failed = 0;
        string? firstFailure = null;
        var next = 0;
        var workers = Enumerable.Range(0, Clients).Select(async worker =>
        {
            var answer = AnswerBuffers[worker];
            while (watch.Elapsed.TotalSeconds < seconds)
            {
                using var response = await send(client, Interlocked.Increment(ref next));
                var length = await ReadWholeAsync(response, answer);
                if (response.IsSuccessStatusCode || (int)response.StatusCode == 422)
                {
                    Interlocked.Increment(ref done);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                    firstFailure ??= $"{(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(answer, 0, Math.Min(length, answer.Length))}";
                }
            }
        }).ToList();
        await Task.WhenAll(workers);
        if (failed > 0)
        {
            throw new InvalidOperationException($"{failed} requests failed during the load; the first: {firstFailure}");
        }
        var elapsed = watch.Elapsed.TotalSeconds;
        if (cost is not null)
        {
            cost.Add(done, GC.GetTotalAllocatedBytes(precise: true) - bytesBefore);
            for (var g = 0; g < 3; g++)
            {
                cost.Gen[g] += GC.CollectionCount(g) - gcBefore[g];
            }
        }
        return done / elapsed;
    }

    /// <summary>Reads the answer to its end into <paramref name="buffer"/> (overwriting it past its length); its length in bytes.</summary>
    private static async Task<int> ReadWholeAsync(HttpResponseMessage response, byte[] buffer)
    {
        await using var stream = await response.Content.ReadAsStreamAsync();
        var length = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer.AsMemory(length % buffer.Length))) > 0)
        {
            length += read;
        }
        return length;
    }

    private static LandedCostInput Request(Random random, string[] subheadings)
    {
        var lines = Enumerable.Range(0, random.Next(1, 4)).Select(_ => new LandedCostLineInput(
            subheadings[random.Next(subheadings.Length)], Origins[random.Next(Origins.Length)], "goods", random.Next(1, 6),
            Math.Round((decimal)(random.NextDouble() * 200) + 1, 2), Math.Round((decimal)(random.NextDouble() * 2) + 0.05m, 2))).ToList();
        var date = new DateOnly(2024, 7, 1).AddDays(random.Next(0, 1645));
        string from, to;
        do
        {
            from = Origins[random.Next(Origins.Length)];
            to = Destinations[random.Next(Destinations.Length)];
        }
        while (!LandedCostCalculator.CrossesBorder(CountryCode.Parse(from), CountryCode.Parse(to)));
        return new LandedCostInput(
            from, to, date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            random.Next(2) == 0 ? "postal" : "courier", random.Next(2) == 0 ? "DDP" : "DAP", Currencies[random.Next(Currencies.Length)],
            Math.Round((decimal)(random.NextDouble() * 30), 2), random.Next(4) == 0 ? 2.5m : null, lines);
    }

    private static T Option<T>(string[] args, string name, T fallback)
        where T : IParsable<T> =>
        args.SkipWhile(a => a != name).Skip(1).Select(a => T.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(fallback)!;
}
