// The C# binding and HttpClient under Mono, for `make bench`: N sequential GETs of a job
// on one client each, printing one JSON line per contender. HttpClient only fetches the
// body (netstandard2.0 has no JSON reader), the binding also decodes it.
using System;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http;
using TogetherVideo;

public static class Bench
{
    public static int Main(string[] args)
    {
        string baseUrl = args[0];
        int calls = int.Parse(args[1], CultureInfo.InvariantCulture);
        using (var client = new TogetherVideoClient(new TogetherVideoClientOptions { ApiKey = "bench-key", BaseUrl = baseUrl, Proxy = "" }))
        {
            Report("together-video (C#)", calls, () => client.GetVideo("vid_completed"));
        }
        using (var http = new HttpClient())
        {
            http.DefaultRequestHeaders.Add("Authorization", "Bearer bench-key");
            var url = baseUrl + "/videos/vid_completed";
            Report("HttpClient (Mono, no decode)", calls, () => http.GetStringAsync(url).Result);
        }
        return 0;
    }

    private static void Report(string contender, int calls, Func<object> call)
    {
        for (int i = 0; i < 200; i++) call();
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < calls; i++) call();
        double seconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
            "{{\"contender\": \"{0}\", \"threads\": 1, \"calls\": {1}, \"seconds\": {2:0.0000}, \"calls_per_second\": {3:0.0}, \"tls\": false}}",
            contender, calls, seconds, calls / seconds));
    }
}
