// The client's event queue through the real library against the mock: tagged waits and
// downloads report there (WaitOptions.EventTag, DownloadOptions.EventTag), untagged and
// blocking calls do not; TryGetEvent, WaitForEvent and PumpEvents read it; Dispose never
// frees the client under a thread waiting for an event; ClientEvent is copied as far as
// the native struct's size goes.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using System.Xml;

namespace TogetherVideo.Tests
{
    public static partial class Program
    {
        /// <summary>Reads the queue with WaitForEvent until each of <paramref name="tags"/>
        /// has had its Done event, and returns every event read, in order. Fails after 30 s,
        /// or on an event of another tag or after its Done.</summary>
        private static List<ClientEvent> ReadUntilDone(TogetherVideoClient client, params long[] tags)
        {
            var events = new List<ClientEvent>();
            var done = new HashSet<long>();
            var watch = Stopwatch.StartNew();
            while (done.Count < tags.Length)
            {
                Check(watch.Elapsed < TimeSpan.FromSeconds(30), "every Done within 30 s; read so far: " + string.Join("; ", events));
                var next = client.WaitForEvent(TimeSpan.FromSeconds(1));
                if (next == null) continue;
                Check(tags.Contains(next.Tag), "an event of a tagged call: " + next);
                Check(!done.Contains(next.Tag), "nothing after a call's Done: " + next);
                events.Add(next);
                if (next.Kind == ClientEventKind.Done) done.Add(next.Tag);
            }
            return events;
        }

        /// <summary>The status events of a wait: in the order the mock moves the job
        /// (queued, in_progress, completed), the last one completed, every change counted
        /// once (intermediate states may be merged into a later event while it waits).</summary>
        private static void StatusesInOrder(List<ClientEvent> statuses, string jobId, string what)
        {
            var expected = new[] { "queued", "in_progress", "completed" };
            var seen = string.Join(",", statuses.Select(e => e.StatusRaw + "x" + e.Coalesced));
            int last = -1;
            foreach (var e in statuses)
            {
                int at = Array.IndexOf(expected, e.StatusRaw);
                Check(at > last, what + ": statuses in order, each once: " + seen);
                last = at;
                Equal(jobId, e.JobId, what + ": the job's id");
                Equal(StatusName(e.Status), e.StatusRaw, what + ": Status matches StatusRaw");
                Check(e.Coalesced >= 1, what + ": coalesced " + e.Coalesced);
                Equal(null, e.TotalBytes, what + ": no total on a status event");
            }
            Equal("completed", statuses.Last().StatusRaw, what + ": the last status (" + seen + ")");
            Equal(expected.Length, statuses.Sum(e => e.Coalesced), what + ": every change counted once (" + seen + ")");
        }

        public static void TestATaggedWaitReportsItsStatusesInOrderThenDone()
        {
            using (var client = NewClient())
            {
                var job = client.CreateVideo(new CreateVideoRequest("m"));
                var polled = new List<string>();
                var wait = client.WaitForVideoAsync(job.Id, new WaitOptions
                {
                    EventTag = 7,
                    PollInterval = TimeSpan.FromMilliseconds(20),
                    Progress = new Recorder<Video>(v => { lock (polled) polled.Add(v.StatusRaw); }),
                });
                var events = ReadUntilDone(client, 7);
                var done = events.Last();
                Equal(ClientEventKind.Done, done.Kind, "the last event");
                // The Task ends before its Done event is queued: its result is there at once.
                Check(wait.IsCompleted, "the Task has ended by its Done event: " + wait.Status);
                Equal(VideoStatus.Completed, wait.Result.Status, "the Task's video");
                Equal(ResultCode.Ok, done.Result, "Done: result");
                Equal(7L, done.Tag, "Done: tag");
                Check(done.JobId == null && done.StatusRaw == null && done.Status == VideoStatus.Unknown
                    && done.BytesReceived == 0 && done.TotalBytes == null && done.Coalesced == 1, "Done says nothing else: " + done);
                Equal("tag 7: done Ok", done.ToString(), "Done: ToString");
                var statuses = events.Take(events.Count - 1).ToList();
                Check(statuses.All(e => e.Kind == ClientEventKind.StatusChanged), "status events before Done: " + string.Join("; ", events));
                StatusesInOrder(statuses, job.Id, "a tagged wait");
                Equal("tag 7: status_changed " + job.Id + " completed", statuses.Last().ToString(), "a status event: ToString");
                lock (polled) Equal("queued,in_progress,completed", string.Join(",", polled), "the progress sink still told every poll");

                // A job that failed on Together's side: the wait succeeded, its video says why.
                var failed = client.WaitForVideoAsync(client.CreateVideo(new CreateVideoRequest("fail-job")).Id,
                    new WaitOptions { EventTag = 8, PollInterval = TimeSpan.FromMilliseconds(10) });
                done = ReadUntilDone(client, 8).Last();
                Equal(ResultCode.Ok, done.Result, "a failed job: the wait's result");
                Equal(VideoStatus.Failed, failed.Result.Status, "a failed job: the Task's video");

                // A wait that ends badly: Done carries the code the Task faulted with.
                var missing = client.WaitForVideoAsync("status-404", new WaitOptions { EventTag = 9 });
                done = ReadUntilDone(client, 9).Last();
                Equal(ResultCode.NotFound, done.Result, "no such job: Done's result");
                Check(missing.IsFaulted && missing.Exception.InnerException is NotFoundException, "no such job: the Task " + missing.Status);
                using (var cancel = new CancellationTokenSource())
                {
                    var stalled = client.WaitForVideoAsync(client.CreateVideo(new CreateVideoRequest("stall-job")).Id,
                        new WaitOptions { EventTag = 10, PollInterval = TimeSpan.FromMilliseconds(10) }, cancel.Token);
                    var first = client.WaitForEvent(TimeSpan.FromSeconds(10));
                    Check(first != null && first.Kind == ClientEventKind.StatusChanged && first.Tag == 10, "a stalled job's first status: " + first);
                    cancel.Cancel();
                    done = ReadUntilDone(client, 10).Last();
                    Equal(ResultCode.Cancelled, done.Result, "a cancelled wait: Done's result");
                    Check(stalled.IsCanceled, "a cancelled wait: the Task " + stalled.Status);
                }
            }
        }

        public static void TestATaggedDownloadReportsItsProgressThenDone()
        {
            using (var client = NewClient())
            {
                const long size = 256 * 1024;
                var file = TempFile(".mp4");
                long sinkBytes = 0;
                // slow-*.mp4 trickles 16 KiB every 50 ms: many progress events. A negative tag
                // comes back as itself.
                var download = client.DownloadUrlAsync(origin + "/files/slow-clip.mp4", file, new DownloadOptions
                {
                    EventTag = -5,
                    Timeout = TimeSpan.FromSeconds(30),
                    Progress = new Recorder<DownloadProgress>(p => Interlocked.Exchange(ref sinkBytes, p.BytesReceived)),
                });
                var events = ReadUntilDone(client, -5);
                var done = events.Last();
                Check(download.IsCompleted, "the Task has ended by its Done event: " + download.Status);
                Equal(size, download.Result, "the Task's size");
                Equal(ResultCode.Ok, done.Result, "Done: result");
                Equal(-5L, done.Tag, "Done: the negative tag");
                var progress = events.Take(events.Count - 1).ToList();
                Check(progress.Count >= 2 && progress.All(e => e.Kind == ClientEventKind.DownloadProgress),
                    "progress events before Done: " + string.Join("; ", events));
                for (int i = 1; i < progress.Count; i++)
                    Check(progress[i].BytesReceived > progress[i - 1].BytesReceived, "bytes only grow: " + string.Join("; ", progress));
                Equal(size, progress.Last().BytesReceived, "the last progress: every byte");
                Check(progress.All(e => e.TotalBytes == size && e.JobId == null && e.StatusRaw == null && e.Result == ResultCode.Ok),
                    "progress events: the total, nothing else: " + string.Join("; ", progress));
                Equal("tag -5: download_progress " + size + "/" + size + " bytes", progress.Last().ToString(), "a progress event: ToString");
                Equal(size, Interlocked.Read(ref sinkBytes), "the progress sink still told every byte");
                Equal(size, new FileInfo(file).Length, "the file");
                File.Delete(file);

                // Every download reports under its own tag: by job id, a Video, to a stream.
                var stream = new MemoryStream();
                var byId = client.DownloadVideoAsync("video-at-clip.webm", stream, new DownloadOptions { EventTag = 21 });
                var byVideo = client.DownloadAsync(client.GetVideo("video-at-clip.mp4"), file, new DownloadOptions { EventTag = 22 });
                var byUrl = client.DownloadUrlAsync(origin + "/files/clip.mp4", new MemoryStream(), new DownloadOptions { EventTag = 23 });
                var byVideoToStream = client.DownloadAsync(client.GetVideo("video-at-clip.mp4"), new MemoryStream(), new DownloadOptions { EventTag = 24 });
                var otherFile = TempFile(".mp4");
                var byIdToFile = client.DownloadVideoAsync("video-at-clip.mp4", otherFile, new DownloadOptions { EventTag = 25 });
                events = ReadUntilDone(client, 21, 22, 23, 24, 25);
                foreach (var tag in new long[] { 21, 22, 23, 24, 25 })
                {
                    var own = events.Where(e => e.Tag == tag).ToList();
                    Check(own.Count >= 2 && own.Last().Kind == ClientEventKind.Done && own.Last().Result == ResultCode.Ok
                        && own.Take(own.Count - 1).All(e => e.Kind == ClientEventKind.DownloadProgress) && own[own.Count - 2].BytesReceived == size,
                        "tag " + tag + ": progress to the last byte, then Done: " + string.Join("; ", own));
                }
                Check(new[] { byId, byVideo, byUrl, byVideoToStream, byIdToFile }.All(t => t.IsCompleted && t.Result == size), "every Task's size");
                Equal(size, stream.Length, "the stream");
                File.Delete(file);
                File.Delete(otherFile);

                // A download that fails: Done carries the code the Task faulted with.
                var missing = client.DownloadUrlAsync(origin + "/files/missing.mp4", file, new DownloadOptions { EventTag = 30 });
                done = ReadUntilDone(client, 30).Last();
                Equal(ResultCode.NotFound, done.Result, "a missing file: Done's result");
                Check(missing.IsFaulted && missing.Exception.InnerException is NotFoundException, "a missing file: the Task " + missing.Status);
                NothingLeft(file, "a missing file");
            }
        }

        public static void TestUntaggedAndBlockingCallsReportNothing()
        {
            using (var client = NewClient())
            {
                var tagged = new WaitOptions { EventTag = 1, PollInterval = TimeSpan.FromMilliseconds(10) };
                var untagged = new WaitOptions { PollInterval = TimeSpan.FromMilliseconds(10) };
                client.WaitForVideoAsync(client.CreateVideo(new CreateVideoRequest("m")).Id, untagged).Wait();
                client.WaitForVideo(client.CreateVideo(new CreateVideoRequest("m")).Id, tagged); // blocking: ignores the tag
                client.GetVideoAsync("vid_completed").Wait();
                client.CreateVideoAsync(new CreateVideoRequest("m")).Wait();
                client.DownloadUrlAsync(origin + "/files/clip.mp4", new MemoryStream()).Wait();
                client.DownloadVideoAsync("video-at-clip.mp4", new MemoryStream(), new DownloadOptions()).Wait();
                client.DownloadVideo("video-at-clip.mp4", new MemoryStream(), new DownloadOptions { EventTag = 2 });
                Faults<NotFoundException>(() => client.DownloadUrlAsync(origin + "/files/missing.mp4", new MemoryStream()), "a failed download");
                ClientEvent none;
                Check(!client.TryGetEvent(out none) && none == null, "nothing queued: " + none);
                Equal(null, client.WaitForEvent(TimeSpan.FromMilliseconds(200)), "nothing comes");
                Equal(0, client.PumpEvents(e => { throw new Exception("no event expected: " + e); }), "nothing to pump");
            }
        }

        public static void TestPumpEventsRunsTheHandlerHereAndHandsOnAtMostMaxEvents()
        {
            using (var client = NewClient())
            {
                var options = new WaitOptions { PollInterval = TimeSpan.FromMilliseconds(10) };
                var tasks = Enumerable.Range(0, 3).Select(i => client.WaitForVideoAsync(client.CreateVideo(new CreateVideoRequest("m")).Id,
                    new WaitOptions { EventTag = 100 + i, PollInterval = options.PollInterval })).ToArray();
                Task.WaitAll(tasks);
                // Each wait's status events were queued before its Task ended: 3 at least.
                int thread = Thread.CurrentThread.ManagedThreadId;
                var handled = new List<ClientEvent>();
                Action<ClientEvent> handler = e =>
                {
                    Equal(thread, Thread.CurrentThread.ManagedThreadId, "the handler runs on the pumping thread");
                    handled.Add(e);
                };
                Equal(0, client.PumpEvents(handler, 0), "maxEvents 0");
                Equal(2, client.PumpEvents(handler, 2), "maxEvents 2");
                Equal(2, handled.Count, "two handed on");
                Equal(1, client.PumpEvents(handler, 1), "maxEvents 1");
                // The rest, as a frame loop would take them.
                var watch = Stopwatch.StartNew();
                while (handled.Count(e => e.Kind == ClientEventKind.Done) < 3)
                {
                    Check(watch.Elapsed < TimeSpan.FromSeconds(10), "three Done events: " + string.Join("; ", handled));
                    client.PumpEvents(handler);
                    Thread.Sleep(5);
                }
                Equal(0, client.PumpEvents(handler), "drained");
                for (int i = 0; i < 3; i++)
                {
                    var own = handled.Where(e => e.Tag == 100 + i).ToList();
                    Equal(ClientEventKind.Done, own.Last().Kind, "tag " + (100 + i) + ": Done last");
                    StatusesInOrder(own.Take(own.Count - 1).ToList(), tasks[i].Result.Id, "tag " + (100 + i));
                }

                Throws<ArgumentNullException>(() => client.PumpEvents(null), "a null handler");
                Equal("maxEvents", Throws<ArgumentOutOfRangeException>(() => client.PumpEvents(handler, -1), "maxEvents -1").ParamName, "maxEvents -1");

                // A handler that throws: the exception comes out, the other events stay queued.
                client.WaitForVideoAsync(client.CreateVideo(new CreateVideoRequest("m")).Id, new WaitOptions { EventTag = 200, PollInterval = options.PollInterval }).Wait();
                var thrown = Throws<InvalidOperationException>(() => client.PumpEvents(e => { throw new InvalidOperationException("boom"); }), "a throwing handler");
                Equal("boom", thrown.Message, "the handler's own exception");
                var rest = ReadUntilDone(client, 200);
                Equal(ClientEventKind.Done, rest.Last().Kind, "the events after it were kept");

                // A handler that disposes the client: the pump stops, then the client is gone.
                client.WaitForVideoAsync(client.CreateVideo(new CreateVideoRequest("m")).Id, new WaitOptions { EventTag = 300, PollInterval = options.PollInterval }).Wait();
                Equal(1, client.PumpEvents(e => client.Dispose()), "a handler that disposes: one event handed on");
                Throws<ObjectDisposedException>(() => client.PumpEvents(handler), "pumping a disposed client");
                ClientEvent none;
                Throws<ObjectDisposedException>(() => client.TryGetEvent(out none), "TryGetEvent on a disposed client");
                Throws<ObjectDisposedException>(() => client.WaitForEvent(TimeSpan.Zero), "WaitForEvent on a disposed client");
            }
        }

        public static void TestWaitForEventTimesOutWhenNoneComes()
        {
            using (var client = NewClient())
            {
                var watch = Stopwatch.StartNew();
                Equal(null, client.WaitForEvent(TimeSpan.FromMilliseconds(300)), "none in 300 ms");
                Check(watch.Elapsed >= TimeSpan.FromMilliseconds(290) && watch.Elapsed < TimeSpan.FromSeconds(3), "waited its timeout: " + watch.Elapsed);
                watch.Restart();
                Equal(null, client.WaitForEvent(TimeSpan.Zero), "zero: no wait");
                Equal(null, client.WaitForEvent(TimeSpan.FromTicks(1)), "a tick");
                Check(watch.Elapsed < TimeSpan.FromMilliseconds(500), "zero did not wait: " + watch.Elapsed);
                var bad = Throws<ArgumentOutOfRangeException>(() => client.WaitForEvent(TimeSpan.FromMilliseconds(-2)), "a negative timeout");
                Equal("timeout", bad.ParamName, "a negative timeout: parameter");
                using (var cancelled = new CancellationTokenSource())
                {
                    cancelled.Cancel();
                    Throws<OperationCanceledException>(() => client.WaitForEvent(TimeSpan.FromSeconds(10), cancelled.Token), "a cancelled token");
                }
                using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200)))
                {
                    watch.Restart();
                    Throws<OperationCanceledException>(() => client.WaitForEvent(Timeout.InfiniteTimeSpan, cancel.Token), "cancelled while waiting");
                    Check(watch.Elapsed < TimeSpan.FromSeconds(2), "the token ended the wait soon: " + watch.Elapsed);
                }
                // An event that comes during a long wait ends it at once.
                var job = client.CreateVideo(new CreateVideoRequest("m"));
                ThreadPool.QueueUserWorkItem(_ =>
                {
                    Thread.Sleep(150);
                    client.WaitForVideoAsync(job.Id, new WaitOptions { EventTag = 5, PollInterval = TimeSpan.FromMilliseconds(10) });
                });
                watch.Restart();
                var first = client.WaitForEvent(TimeSpan.FromSeconds(20));
                Check(first != null && first.Tag == 5, "the event that came: " + first);
                Check(watch.Elapsed < TimeSpan.FromSeconds(5), "taken when it came: " + watch.Elapsed);
                ReadUntilDone(client, 5);
            }
        }

        public static void TestDisposeWhileThreadsWaitForEventsNeitherHangsNorCrashes()
        {
            for (int round = 0; round < 20; round++)
            {
                var client = NewClient();
                // Every other round, requests in flight report to the queue while it goes (a
                // stalled wait, a slow download); in the others, no event ever comes to wake
                // a reader.
                Task<Video> stalled = null;
                if (round % 2 == 1)
                {
                    stalled = client.WaitForVideoAsync(client.CreateVideo(new CreateVideoRequest("stall-job")).Id,
                        new WaitOptions { EventTag = 1, PollInterval = TimeSpan.FromMilliseconds(5) });
                    client.DownloadUrlAsync(origin + "/files/slow-clip.mp4", new MemoryStream(), new DownloadOptions { EventTag = 2 });
                }
                var failures = new Exception[4];
                var threads = Enumerable.Range(0, 4).Select(i => new Thread(() =>
                {
                    try
                    {
                        if (i == 3)
                        {
                            while (true) client.PumpEvents(e => { }); // a busy frame loop
                        }
                        while (true) client.WaitForEvent(i == 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(7 * i));
                    }
                    catch (Exception e)
                    {
                        failures[i] = e;
                    }
                }) { IsBackground = true }).ToArray();
                foreach (var thread in threads) thread.Start();
                Thread.Sleep(round % 5 * 20 + 30);
                var watch = Stopwatch.StartNew();
                client.Dispose();
                Check(watch.Elapsed < TimeSpan.FromSeconds(3), "round " + round + ": Dispose returned in " + watch.Elapsed);
                // The client was freed inside Dispose, once the readers had left the library:
                // the calls in flight have ended already.
                if (stalled != null)
                    Check(stalled.IsFaulted && stalled.Exception.InnerException is RequestCancelledException,
                        "round " + round + ": the wait in flight ended with Dispose: " + stalled.Status);
                foreach (var thread in threads)
                    Check(thread.Join(TimeSpan.FromSeconds(5)), "round " + round + ": every reader left after Dispose");
                for (int i = 0; i < failures.Length; i++)
                {
                    var e = failures[i] as ObjectDisposedException;
                    Check(e != null, "round " + round + ", reader " + i + ": ObjectDisposedException, got " + failures[i]);
                    Equal("TogetherVideoClient", e.ObjectName, "the object named");
                }
            }
        }

        public static void TestEveryEventQueueMethodDocumentsWhatItThrows()
        {
            var members = Documentation();
            foreach (var name in new[] { "TryGetEvent", "WaitForEvent", "PumpEvents" })
            {
                var entries = members.Where(m => m.Key.StartsWith("M:TogetherVideo.TogetherVideoClient." + name + "(", StringComparison.Ordinal)).ToList();
                Equal(1, entries.Count, name + ": documented once");
                var exceptions = entries[0].Value.GetElementsByTagName("exception").Cast<XmlElement>().Select(e => e.GetAttribute("cref")).ToList();
                foreach (var cref in new[] { "T:System.ObjectDisposedException", "T:TogetherVideo.TogetherVideoException" })
                    Check(exceptions.Contains(cref), name + " documents " + cref);
                Check(entries[0].Value.InnerText.Contains("Thread-safe"), name + " says it is thread-safe");
            }
        }

        // ---- ClientEvent copied out of the struct -------------------------------------------

        /// <summary>A native event with every field set, in unmanaged memory, its
        /// <c>size</c> set to <paramref name="size"/>; the memory is freed by <paramref name="free"/>.</summary>
        private static IntPtr NativeClientEvent(int size, int kind, List<IntPtr> free)
        {
            Func<string, IntPtr> text = s =>
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(s + "\0");
                var p = Marshal.AllocHGlobal(bytes.Length);
                Marshal.Copy(bytes, 0, p, bytes.Length);
                free.Add(p);
                return p;
            };
            var native = new TvEvent
            {
                size = (uint)size, kind = kind, tag = ulong.MaxValue, job_id = text("job-1"), status = (int)VideoStatus.InProgress,
                status_raw = text("in_progress"), received = 1000, total = 5000, result = (int)ResultCode.Timeout, coalesced = 3,
            };
            int full = Marshal.SizeOf(typeof(TvEvent));
            var pointer = Marshal.AllocHGlobal(full + 64);
            free.Add(pointer);
            // Past the struct: what a shorter struct must never be read into.
            for (int i = 0; i < full + 64; i++) Marshal.WriteByte(pointer, i, 0xAB);
            Marshal.StructureToPtr(native, pointer, false);
            return pointer;
        }

        public static void TestAClientEventIsCopiedAsFarAsItsSizeGoes()
        {
            int full = Marshal.SizeOf(typeof(TvEvent));
            Func<string, int> at = field => Marshal.OffsetOf(typeof(TvEvent), field).ToInt32();
            var free = new List<IntPtr>();
            try
            {
                var e = ClientEvent.FromNative(NativeClientEvent(full, 1, free));
                Equal(ClientEventKind.StatusChanged, e.Kind, "kind");
                Equal(-1L, e.Tag, "the largest tag: -1, its bits kept");
                Equal("job-1", e.JobId, "job id");
                Equal(VideoStatus.InProgress, e.Status, "status");
                Equal("in_progress", e.StatusRaw, "status raw");
                Equal(1000L, e.BytesReceived, "received");
                Equal(5000L, e.TotalBytes, "total");
                Equal(ResultCode.Timeout, e.Result, "result");
                Equal(3, e.Coalesced, "coalesced");

                // A library built before a field was added: what its size does not cover is absent.
                e = ClientEvent.FromNative(NativeClientEvent(at("coalesced"), 3, free));
                Equal(0, e.Coalesced, "no coalesced");
                Equal(ResultCode.Timeout, e.Result, "the result, covered");
                e = ClientEvent.FromNative(NativeClientEvent(at("total"), 2, free));
                Equal(null, e.TotalBytes, "no total");
                Equal(ResultCode.Ok, e.Result, "no result");
                Equal(1000L, e.BytesReceived, "received, covered");
                e = ClientEvent.FromNative(NativeClientEvent(at("tag"), 1, free));
                Equal(ClientEventKind.StatusChanged, e.Kind, "the kind, covered");
                Check(e.Tag == 0 && e.JobId == null && e.StatusRaw == null && e.Status == VideoStatus.Unknown && e.BytesReceived == 0
                    && e.TotalBytes == null && e.Result == ResultCode.Ok && e.Coalesced == 0, "nothing else: " + e);

                // A kind this version does not know, a longer struct; numbers past what they hold.
                var huge = NativeClientEvent(full + 16, 9, free);
                Marshal.WriteInt64(huge, at("received"), -1);
                Marshal.WriteInt32(huge, at("coalesced"), -1);
                Marshal.WriteInt64(huge, at("total"), -1);
                e = ClientEvent.FromNative(huge);
                Equal((ClientEventKind)9, e.Kind, "an unknown kind: its number");
                Equal("tag -1: kind_9", e.ToString(), "an unknown kind: ToString");
                Equal(long.MaxValue, e.BytesReceived, "the most bytes");
                Equal(int.MaxValue, e.Coalesced, "the most updates");
                Equal(null, e.TotalBytes, "-1: unknown total");
            }
            finally
            {
                free.ForEach(Marshal.FreeHGlobal);
            }
        }
    }
}
