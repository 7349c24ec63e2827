// Where an asynchronous call's continuations run, and that they may block: through the
// real library against the mock. Where a test looks at the thread a continuation runs on,
// the call is to "slow-30" (answered after 30 ms), so that it is still running when the
// continuation is attached (a Task done already runs it on the attaching thread).
using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace TogetherVideo.Tests
{
    public static partial class Program
    {
        private static TogetherVideoClient NewClientWith(int workerThreads, bool runContinuationsAsynchronously)
        {
            return new TogetherVideoClient(new TogetherVideoClientOptions
            {
                ApiKey = "test-key",
                BaseUrl = mockUrl,
                Proxy = "",
                WorkerThreads = workerThreads,
                RunContinuationsAsynchronously = runContinuationsAsynchronously,
            });
        }

        /// <summary>Waits for <paramref name="task"/> for up to a minute: a continuation that
        /// deadlocked fails the test instead of hanging the suite. (Nothing is timed: the
        /// calls take milliseconds.)</summary>
        private static T Within<T>(Task<T> task, string what)
        {
            Check(task.Wait(TimeSpan.FromMinutes(1)), what + ": never finished (deadlocked?)");
            return task.Result;
        }

        public static void TestAContinuationRunsOnTheLibraryThreadUnlessAskedOtherwise()
        {
            foreach (var onThreadPool in new[] { false, true })
            {
                using (var client = NewClientWith(2, onThreadPool))
                {
                    var where = Within(client.GetVideoAsync("slow-30").ContinueWith(
                        done => Thread.CurrentThread.IsThreadPoolThread, TaskContinuationOptions.ExecuteSynchronously),
                        "a continuation");
                    Equal(onThreadPool, where, "RunContinuationsAsynchronously=" + onThreadPool + ": on a thread-pool thread");
                }
            }
        }

        public static void TestAContinuationMayBlockOnAnotherCall()
        {
            foreach (var workers in new[] { 1, 2, 4 })
            {
                using (var client = NewClientWith(workers, false))
                {
                    for (int i = 0; i < 10; i++)
                    {
                        // Each waits for a call that needs a library thread: with one worker
                        // thread it runs on the thread pool, else on a library thread while
                        // another serves the call.
                        var inner = Within(WhereBlockingAfterAwait(client), "a continuation blocking on a call");
                        Equal("vid_queued", inner.Item2, workers + " threads: the inner call's job");
                        Equal(workers == 1, inner.Item1, workers + " threads: on a thread-pool thread");
                        // As many awaits as threads, each then blocking on a call: all but one
                        // may hold a library thread, the rest continue on the thread pool.
                        var all = Enumerable.Range(0, workers).Select(n => WhereBlockingAfterAwait(client)).ToArray();
                        foreach (var task in all) Equal("vid_queued", Within(task, workers + " continuations blocking at once").Item2, "their jobs");
                        // A blocking call inside a continuation runs on its thread.
                        Equal(VideoStatus.Completed, Within(BlockingCallAfterAwait(client), "a continuation making a blocking call"),
                            "the blocking call's job");
                    }
                }
            }
        }

        public static void TestTheDefaultWorkerThreadsAreTheLibrarys()
        {
            using (var client = new TogetherVideoClient(new TogetherVideoClientOptions { ApiKey = "test-key", BaseUrl = mockUrl, Proxy = "" }))
            {
                // Calls to a server that never answers: each holds a worker thread, so as
                // many run at once as there are threads (the others wait in the queue).
                var stuck = Enumerable.Range(0, 2 * TogetherVideoClientOptions.DefaultWorkerThreads)
                    .Select(i => client.GetVideoAsync("stall")).ToArray();
                for (int i = 0; i < 1000 && client.GetStats().RequestsInFlight < TogetherVideoClientOptions.DefaultWorkerThreads; i++)
                    Thread.Sleep(10);
                Thread.Sleep(200);
                Equal((long)TogetherVideoClientOptions.DefaultWorkerThreads, client.GetStats().RequestsInFlight,
                    "requests in flight on a default client");
                client.Dispose();
                foreach (var task in stuck)
                    Throws<RequestCancelledException>(() => task.GetAwaiter().GetResult(), "a call Dispose ended");
            }
        }

        public static void TestAChainOfAwaitsRunsToItsEnd()
        {
            using (var client = NewClientWith(4, false))
            {
                Equal(200, Within(Chain(client, 200), "200 awaits in a row"), "calls made");
            }
        }

        private static async Task<int> Chain(TogetherVideoClient client, int calls)
        {
            int made = 0;
            for (int i = 0; i < calls; i++)
            {
                var video = await client.GetVideoAsync(i % 2 == 0 ? "vid_completed" : "vid_queued").ConfigureAwait(false);
                Check(video.Id == (i % 2 == 0 ? "vid_completed" : "vid_queued"), "call " + i);
                made++;
            }
            return made;
        }

        public static void TestDisposingTheClientFromAContinuationOnALibraryThread()
        {
            var client = NewClientWith(2, false);
            var disposed = Within(client.GetVideoAsync("slow-30").ContinueWith(done =>
            {
                client.Dispose();
                return true;
            }, TaskContinuationOptions.ExecuteSynchronously), "Dispose inside a continuation");
            Check(disposed, "disposed");
            Faults<ObjectDisposedException>(() => client.GetVideoAsync("vid_completed"), "a call after that Dispose");
        }

        public static void TestACancelledCallsAwaitContinuesOnTheThreadPool()
        {
            using (var client = NewClientWith(2, false))
            using (var cancel = new CancellationTokenSource())
            {
                var where = AfterAwait(client.GetVideoAsync("stall", cancel.Token));
                Thread.Sleep(50);
                cancel.Cancel();
                Check(Within(where, "the cancelled call's await"), "a cancelled call's await continues on the thread pool");
            }
        }

        public static void TestAnAwaitContinuesOnTheThreadPoolWhenEveryOtherThreadHoldsOne()
        {
            using (var client = NewClientWith(2, false))
            using (var entered = new ManualResetEventSlim())
            using (var release = new ManualResetEventSlim())
            {
                Task<bool> holding = null;
                try
                {
                    // One await continuation blocks on its library thread (the one of two it may hold)...
                    holding = HoldAfterAwait(client, entered, release);
                    Check(entered.Wait(TimeSpan.FromMinutes(1)), "the holding continuation never started");
                    // ...so the next call's await continues on the thread pool.
                    Check(Within(AfterAwait(client.GetVideoAsync("slow-30")), "an await while the other thread is held"),
                        "an await beyond WorkerThreads - 1 continues on the thread pool");
                }
                finally
                {
                    release.Set(); // whatever failed above: Dispose waits for the holder
                }
                Check(!Within(holding, "the held continuation"), "the held continuation ran on a library thread");
            }
        }

        /// <summary>Awaits a call, says so, then blocks until released: whether it ran on
        /// a thread-pool thread.</summary>
        private static async Task<bool> HoldAfterAwait(TogetherVideoClient client, ManualResetEventSlim entered, ManualResetEventSlim release)
        {
            await client.GetVideoAsync("slow-30").ConfigureAwait(false);
            entered.Set();
            release.Wait();
            return Thread.CurrentThread.IsThreadPoolThread;
        }

        /// <summary>Awaits a call, then blocks on another: where it continued, and the
        /// other's job.</summary>
        private static async Task<Tuple<bool, string>> WhereBlockingAfterAwait(TogetherVideoClient client)
        {
            await client.GetVideoAsync("slow-30").ConfigureAwait(false);
            return Tuple.Create(Thread.CurrentThread.IsThreadPoolThread, client.GetVideoAsync("vid_queued").Result.Id);
        }

        /// <summary>Awaits a call, then makes a blocking one.</summary>
        private static async Task<VideoStatus> BlockingCallAfterAwait(TogetherVideoClient client)
        {
            await client.GetVideoAsync("slow-30").ConfigureAwait(false);
            return client.GetVideo("vid_completed").Status;
        }

        /// <summary>Whether the code after awaiting <paramref name="task"/> (whatever its
        /// outcome) ran on a thread-pool thread.</summary>
        private static async Task<bool> AfterAwait(Task task)
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Only where the code after the await runs matters.
            }
            return Thread.CurrentThread.IsThreadPoolThread;
        }
    }
}
