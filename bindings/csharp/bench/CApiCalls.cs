// The same calls as Bench.cs's, made from C# straight through the C API with no binding
// in between: blocking tv_get_video calls, chains of tv_get_video_start calls each started
// from the last one's completion callback, and the same chains with each call ending a
// TaskCompletionSource that an async method awaits. Set against each other they split the
// CPU an awaited GetVideoAsync adds to a GetVideo call: what the library's non-blocking
// path and its callback crossings cost (chain - blocking), what the runtime's Task and
// await cost (awaited - chain), and what is left for the binding.
//
// Its own client, made with the same settings as the binding's. Results are read and
// freed, never converted to C# objects (both binding paths convert alike).
using System;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

internal sealed class CApiCalls : IDisposable
{
    private const string Library = "together_video";

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void RequestCallback(IntPtr userData);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)] private static extern IntPtr tv_client_options_new();
    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)] private static extern void tv_client_options_free(IntPtr options);
    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)] private static extern int tv_client_options_set_api_key(IntPtr options, byte[] key);
    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)] private static extern int tv_client_options_set_base_url(IntPtr options, byte[] url);
    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)] private static extern int tv_client_options_set_proxy(IntPtr options, byte[] proxy);
    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)] private static extern int tv_client_options_set_worker_threads(IntPtr options, long threads);
    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)] private static extern int tv_client_new_with_options(IntPtr options, out IntPtr client, out IntPtr error);
    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)] private static extern void tv_client_free(IntPtr client);
    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)] private static extern int tv_get_video(IntPtr client, byte[] id, IntPtr call, out IntPtr video, out IntPtr error);
    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)] private static extern int tv_get_video_start(IntPtr client, byte[] id, IntPtr call, out IntPtr request, out IntPtr error);
    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)] private static extern int tv_request_on_complete(IntPtr request, IntPtr callback, IntPtr userData);
    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)] private static extern int tv_request_result(IntPtr request, out IntPtr video, out IntPtr error);
    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)] private static extern void tv_request_free(IntPtr request);
    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)] private static extern void tv_video_free(IntPtr video);
    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)] private static extern void tv_error_free(IntPtr error);

    private static readonly RequestCallback Completed = OnCompleted;
    private static readonly IntPtr CompletedPointer = Marshal.GetFunctionPointerForDelegate(Completed);

    /// <summary>One sequence of calls in flight; its index is its callbacks' user_data.</summary>
    private sealed class Chain
    {
        public CApiCalls Owner;
        public IntPtr Request;
        public int Left;
        public TaskCompletionSource<int> Awaited;
        public readonly ManualResetEventSlim Finished = new ManualResetEventSlim();
    }

    // Shared by the callback, which finds a chain by its index; one CApiCalls at a time.
    private static Chain[] chains = new Chain[0];

    private readonly IntPtr client;
    private readonly byte[] id;
    private int failures;

    public CApiCalls(string url, string key, int workerThreads, string id)
    {
        this.id = Text(id);
        var options = tv_client_options_new();
        IntPtr error;
        bool made = tv_client_options_set_api_key(options, Text(key)) == 0
            && tv_client_options_set_base_url(options, Text(url)) == 0
            && tv_client_options_set_proxy(options, Text("")) == 0
            && tv_client_options_set_worker_threads(options, workerThreads) == 0
            && tv_client_new_with_options(options, out client, out error) == 0;
        tv_client_options_free(options);
        if (!made) throw new InvalidOperationException("tv_client_new_with_options failed");
    }

    private static byte[] Text(string text)
    {
        return Encoding.UTF8.GetBytes(text + "\0");
    }

    /// <summary><paramref name="threads"/> threads making blocking calls, <paramref name="calls"/> in all.</summary>
    public void Blocking(int calls, int threads)
    {
        if (threads == 1)
        {
            BlockingCalls(0, calls, 1);
            return;
        }
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() => BlockingCalls(t, calls, threads))).ToArray();
        foreach (var worker in workers) worker.Start();
        foreach (var worker in workers) worker.Join();
    }

    private void BlockingCalls(int first, int calls, int step)
    {
        for (int i = first; i < calls; i += step)
        {
            IntPtr video, error;
            int code = tv_get_video(client, id, IntPtr.Zero, out video, out error);
            Free(code, video, error);
        }
        Check();
    }

    /// <summary><paramref name="count"/> chains of calls, <paramref name="calls"/> in all,
    /// each call started from the last one's completion callback.</summary>
    public void CallbackChains(int calls, int count)
    {
        Prepare(count);
        for (int c = 0; c < count; c++)
        {
            chains[c].Left = calls / count;
            Start(c);
        }
        for (int c = 0; c < count; c++) chains[c].Finished.Wait();
        Check();
    }

    /// <summary>The same chains, each call awaited as an async method awaits a Task.</summary>
    public void AwaitedChains(int calls, int count)
    {
        Prepare(count);
        Task.WhenAll(Enumerable.Range(0, count).Select(c => Awaited(c, calls / count))).GetAwaiter().GetResult();
        Check();
    }

    private async Task Awaited(int chain, int calls)
    {
        for (int i = 0; i < calls; i++)
        {
            var completion = new TaskCompletionSource<int>();
            chains[chain].Awaited = completion;
            Start(chain);
            if (await completion.Task.ConfigureAwait(false) != 0) Interlocked.Increment(ref failures);
        }
    }

    private void Prepare(int count)
    {
        if (chains.Length < count) chains = Enumerable.Range(0, count).Select(_ => new Chain()).ToArray();
        foreach (var chain in chains)
        {
            chain.Owner = this;
            chain.Awaited = null;
            chain.Finished.Reset();
        }
    }

    private void Start(int chain)
    {
        IntPtr request, error;
        if (tv_get_video_start(client, id, IntPtr.Zero, out request, out error) != 0)
        {
            if (error != IntPtr.Zero) tv_error_free(error);
            throw new InvalidOperationException("tv_get_video_start failed");
        }
        chains[chain].Request = request;
        tv_request_on_complete(request, CompletedPointer, new IntPtr(chain));
    }

    private static void OnCompleted(IntPtr userData)
    {
        int index = userData.ToInt32();
        var chain = chains[index];
        try
        {
            IntPtr video, error;
            int code = tv_request_result(chain.Request, out video, out error);
            tv_request_free(chain.Request);
            chain.Owner.Free(code, video, error);
            if (chain.Awaited != null)
            {
                chain.Awaited.TrySetResult(code);
                return;
            }
            if (--chain.Left > 0) chain.Owner.Start(index);
            else chain.Finished.Set();
        }
        catch (Exception)
        {
            // Nothing may unwind into the library: the round fails instead.
            Interlocked.Increment(ref chain.Owner.failures);
            if (chain.Awaited != null) chain.Awaited.TrySetResult(-1);
            else chain.Finished.Set();
        }
    }

    private void Free(int code, IntPtr video, IntPtr error)
    {
        if (code != 0) Interlocked.Increment(ref failures);
        if (video != IntPtr.Zero) tv_video_free(video);
        if (error != IntPtr.Zero) tv_error_free(error);
    }

    private void Check()
    {
        if (Interlocked.Exchange(ref failures, 0) != 0) throw new InvalidOperationException("a C API call failed");
    }

    public void Dispose()
    {
        tv_client_free(client);
    }
}
