// The job journal through the real library against the mock, as tests/c/test_lifecycle.c's
// test_journal does in C: a journaled client creates a job and is disposed ("the process
// ends"), a new client on the same journal lists the job and resumes it (blocking and
// async), one client at a time holds the journal, and the journal's methods need one.
// Each test works in a temporary directory of its own, deleted at the end (the journal,
// "<journal>.lock" and the videos with it).
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;

namespace TogetherVideo.Tests
{
    public static partial class Program
    {
        /// <summary>The size of a video the mock serves (tests/mock/src/files.rs VIDEO_SIZE).</summary>
        private const long MockVideoSize = 256 * 1024;

        private static readonly WaitOptions FastPolls = new WaitOptions { PollInterval = TimeSpan.FromMilliseconds(10) };

        /// <summary>A fresh temporary directory, and the journal's path in it.</summary>
        private static string JournalDirectory(out string journal)
        {
            var directory = Path.Combine(Path.GetTempPath(), "tv-cs-journal-" + Guid.NewGuid());
            Directory.CreateDirectory(directory);
            journal = Path.Combine(directory, "jobs.journal");
            return directory;
        }

        /// <summary>Deletes a test's directory, checking first that the journal and its lock
        /// file were where the library keeps them.</summary>
        private static void RemoveJournalDirectory(string directory, string journal)
        {
            bool both = File.Exists(journal) && File.Exists(journal + ".lock");
            Directory.Delete(directory, true);
            Check(both, "the journal and \"<journal>.lock\" beside it");
        }

        private static TogetherVideoClientOptions JournalOptions(string journal, string baseUrl = null)
        {
            return new TogetherVideoClientOptions { ApiKey = "test-key", BaseUrl = baseUrl ?? mockUrl, Proxy = "", JournalPath = journal };
        }

        /// <summary>A second client on a journal in use is refused as a refused option is:
        /// an ArgumentException for "options" with the library's message.</summary>
        private static void JournalInUse(TogetherVideoClientOptions options, string what)
        {
            var e = Throws<ArgumentException>(() => new TogetherVideoClient(options).Dispose(), what);
            Equal(typeof(ArgumentException), e.GetType(), what + ": type");
            Equal("options", e.ParamName, what + ": parameter");
            Check(Text(e).IndexOf("journal", StringComparison.OrdinalIgnoreCase) >= 0, what + ": the library's message names the journal: " + e.Message);
        }

        /// <summary>Creates a job of model <paramref name="model"/> with a client on
        /// <paramref name="journal"/>, which is disposed before anything waits for it.</summary>
        private static Video CreateThenEnd(string journal, string model)
        {
            var options = JournalOptions(journal);
            using (var first = new TogetherVideoClient(options))
            {
                JournalInUse(options, "a second client while the first is open");
                return first.CreateVideo(new CreateVideoRequest(model));
            }
        }

        /// <summary>The journal's only entry, a job created moments ago of model "m" with no
        /// download started.</summary>
        private static JournalEntry TheCreatedJob(TogetherVideoClient client, Video created, DateTimeOffset before, string what)
        {
            var jobs = client.GetUnfinishedJobs();
            Equal(1, jobs.Count, what + ": entries, " + string.Join("; ", jobs));
            var job = jobs[0];
            Equal(created.Id, job.Id, what + ": the id");
            Equal("m", job.Model, what + ": the model");
            Check(job.CreatedAt >= before.AddSeconds(-5) && job.CreatedAt <= DateTimeOffset.UtcNow.AddSeconds(5),
                what + ": created just now, not " + job.CreatedAt.ToString("o"));
            Equal(null, job.Destination, what + ": no download started");
            Check(!string.IsNullOrEmpty(job.RequestHash), what + ": a request hash");
            if (job.StatusRaw == null) Equal(null, job.Status, what + ": no status before any");
            else Equal(job.StatusRaw, StatusName(job.Status.Value), what + ": Status matches StatusRaw");
            Check(job.ToString().Contains(created.Id), what + ": ToString names the job: " + job);
            return job;
        }

        public static void TestAJournaledJobSurvivesItsClientAndResumes()
        {
            string journal;
            var directory = JournalDirectory(out journal);
            try
            {
                var video = Path.Combine(directory, "resumed.mp4");
                var before = DateTimeOffset.UtcNow;
                var created = CreateThenEnd(journal, "m"); // "the process ends" before waiting
                var options = JournalOptions(journal);
                using (var second = new TogetherVideoClient(options))
                {
                    TheCreatedJob(second, created, before, "after a restart");
                    JournalInUse(options, "a third client while the second is open");

                    var refused = Throws<ArgumentException>(() => second.ResumeJob(created.Id), "a resume without a path or a recorded destination");
                    Equal(typeof(ArgumentException), refused.GetType(), "no destination: type");
                    Equal("path", refused.ParamName, "no destination: parameter");
                    Check(!File.Exists(video), "nothing downloaded by the refused resume");

                    var done = second.ResumeJob(created.Id, video, FastPolls);
                    Equal(created.Id, done.Id, "the resumed job");
                    Equal(VideoStatus.Completed, done.Status, "the resumed job's final status");
                    Equal(MockVideoSize, new FileInfo(video).Length, "the video downloaded");
                    Equal(0, second.GetUnfinishedJobs().Count, "nothing left once resumed");

                    second.ForgetJob(12345); // an unknown entry is fine
                    second.ForgetJob(-1);
                }
                using (var third = new TogetherVideoClient(options))
                    Equal(0, third.GetUnfinishedJobs().Count, "nothing left after another restart");
                RemoveJournalDirectory(directory, journal);
            }
            finally
            {
                if (Directory.Exists(directory)) Directory.Delete(directory, true);
            }
        }

        public static void TestAJournaledJobResumesAsync()
        {
            string journal;
            var directory = JournalDirectory(out journal);
            try
            {
                var video = Path.Combine(directory, "resumed-async.mp4");
                var before = DateTimeOffset.UtcNow;
                var created = CreateThenEnd(journal, "m");
                using (var second = new TogetherVideoClient(JournalOptions(journal)))
                {
                    TheCreatedJob(second, created, before, "after a restart");

                    var refused = Faults<ArgumentException>(() => second.ResumeJobAsync(created.Id), "an async resume without a path or a recorded destination");
                    Equal(typeof(ArgumentException), refused.GetType(), "no destination: type");
                    Equal("path", refused.ParamName, "no destination: parameter");
                    var badId = Faults<ArgumentException>(() => second.ResumeJobAsync("..", video), "an async resume of a refused id");
                    Equal("id", badId.ParamName, "a refused id: parameter");

                    var done = second.ResumeJobAsync(created.Id, video, new WaitOptions { PollInterval = TimeSpan.FromMilliseconds(10), EventTag = 5 }).Result;
                    Equal(created.Id, done.Id, "the resumed job");
                    Equal(VideoStatus.Completed, done.Status, "the resumed job's final status");
                    Equal(MockVideoSize, new FileInfo(video).Length, "the video downloaded");
                    Equal(0, second.GetUnfinishedJobs().Count, "nothing left once resumed");

                    // The event tag: the resume's end in the client's queue.
                    ClientEvent end = null;
                    while (end == null)
                    {
                        var e = second.WaitForEvent(TimeSpan.FromSeconds(5));
                        Check(e != null, "the resume's Done event within 5 s");
                        Equal(5L, e.Tag, "an event of the resume: " + e);
                        if (e.Kind == ClientEventKind.Done) end = e;
                    }
                    Equal(ResultCode.Ok, end.Result, "the resume's Done event: result");
                }
                RemoveJournalDirectory(directory, journal);
            }
            finally
            {
                if (Directory.Exists(directory)) Directory.Delete(directory, true);
            }
        }

        public static void TestAResumeGoesWhereTheInterruptedDownloadWent()
        {
            string journal;
            var directory = JournalDirectory(out journal);
            try
            {
                var video = Path.Combine(directory, "interrupted.mp4");
                var options = JournalOptions(journal);
                string id;
                using (var first = new TogetherVideoClient(options))
                {
                    id = first.CreateVideo(new CreateVideoRequest("m")).Id;
                    Equal(VideoStatus.Completed, first.WaitForVideo(id, FastPolls).Status, "the job completes");
                    // "The process ends" during the download: the progress sink stops it.
                    var stop = Throws<IOException>(() => first.DownloadVideo(id, video,
                        new Recorder<DownloadProgress>(p => { throw new IOException("the process ends"); })), "a download stopped half way");
                    Equal("the process ends", stop.Message, "the progress sink's own exception");
                    Check(!File.Exists(video), "no video yet");
                }
                using (var second = new TogetherVideoClient(options))
                {
                    var jobs = second.GetUnfinishedJobs();
                    Equal(1, jobs.Count, "entries, " + string.Join("; ", jobs));
                    Equal(id, jobs[0].Id, "the job");
                    Equal(Path.GetFullPath(video), jobs[0].Destination, "where its download was going");
                    Equal("completed", jobs[0].StatusRaw, "the last status seen");
                    Equal((VideoStatus?)VideoStatus.Completed, jobs[0].Status, "the last status seen, parsed");

                    var done = second.ResumeJob(id, null, FastPolls); // no path: the recorded destination
                    Equal(VideoStatus.Completed, done.Status, "the resumed job");
                    Equal(MockVideoSize, new FileInfo(video).Length, "the video, where it was going");
                    Equal(0, second.GetUnfinishedJobs().Count, "nothing left once resumed");
                }
                RemoveJournalDirectory(directory, journal);
            }
            finally
            {
                if (Directory.Exists(directory)) Directory.Delete(directory, true);
            }
        }

        public static void TestAResumedJobThatFailedIsReturnedNotDownloaded()
        {
            string journal;
            var directory = JournalDirectory(out journal);
            try
            {
                var video = Path.Combine(directory, "never.mp4");
                var created = CreateThenEnd(journal, "fail-job");
                using (var second = new TogetherVideoClient(JournalOptions(journal)))
                {
                    Equal(created.Id, second.GetUnfinishedJobs().Single().Id, "the job, listed");
                    var done = second.ResumeJob(created.Id, video, FastPolls);
                    Equal(VideoStatus.Failed, done.Status, "the job's final status");
                    Check(done.ErrorMessage != null, "why it failed");
                    Check(!File.Exists(video), "no video for a failed job");
                    Equal(0, second.GetUnfinishedJobs().Count, "a failed job is finished");
                }
                RemoveJournalDirectory(directory, journal);
            }
            finally
            {
                if (Directory.Exists(directory)) Directory.Delete(directory, true);
            }
        }

        /// <summary>A create whose answer never came (a server that never answers) is listed
        /// without an id; forgetting it removes it, on disk too.</summary>
        public static void TestAnUnansweredCreateIsListedWithoutAnIdUntilForgotten()
        {
            string journal;
            var directory = JournalDirectory(out journal);
            // Listening but never accepting: the kernel completes the connection and queues
            // the request, and no answer ever comes. (No thread blocked in Accept: closing
            // the listener does not end that under every runtime.)
            var silent = new TcpListener(IPAddress.Loopback, 0);
            silent.Start();
            try
            {
                var url = "http://127.0.0.1:" + ((IPEndPoint)silent.LocalEndpoint).Port + "/v2";
                var options = JournalOptions(journal, url);
                options.Timeout = TimeSpan.FromMilliseconds(300);
                options.MaxRetries = 0;
                var before = DateTimeOffset.UtcNow;
                using (var first = new TogetherVideoClient(options))
                    Throws<RequestTimeoutException>(() => first.CreateVideo(new CreateVideoRequest("m")), "a create never answered");
                using (var second = new TogetherVideoClient(options))
                {
                    var job = second.GetUnfinishedJobs().Single();
                    Equal(null, job.Id, "no id: the answer never came");
                    Equal("m", job.Model, "the model, to compare with your records");
                    Check(job.CreatedAt >= before.AddSeconds(-5) && job.CreatedAt <= DateTimeOffset.UtcNow.AddSeconds(5), "when it was sent");
                    Check(!string.IsNullOrEmpty(job.RequestHash), "the request's hash");
                    Equal(null, job.StatusRaw, "no status seen");
                    Equal(null, job.Status, "no status seen, parsed");
                    Equal(null, job.Destination, "no download");
                    Check(job.ToString().Contains("unanswered"), "ToString says so: " + job);
                    second.ForgetJob(job.Entry);
                    Equal(0, second.GetUnfinishedJobs().Count, "forgotten");
                    second.ForgetJob(job.Entry); // again: fine
                }
                using (var third = new TogetherVideoClient(options))
                    Equal(0, third.GetUnfinishedJobs().Count, "forgotten on disk");
                RemoveJournalDirectory(directory, journal);
            }
            finally
            {
                silent.Stop();
                if (Directory.Exists(directory)) Directory.Delete(directory, true);
            }
        }

        public static void TestTheJournalsMethodsNeedAJournal()
        {
            var video = TempFile(".mp4");
            try
            {
                using (var client = NewClient())
                {
                    var list = Throws<InvalidOperationException>(() => client.GetUnfinishedJobs(), "GetUnfinishedJobs without a journal");
                    Check(list.Message.Contains("JournalPath"), "the message says what to set: " + list.Message);
                    Throws<InvalidOperationException>(() => client.ForgetJob(1), "ForgetJob without a journal");
                    // A resume is a wait and a download: it needs the journal only for a destination.
                    var refused = Throws<ArgumentException>(() => client.ResumeJob("vid_completed"), "a resume without a journal or a path");
                    Equal("path", refused.ParamName, "no destination: parameter");
                    Faults<ArgumentException>(() => client.ResumeJobAsync("vid_completed"), "an async resume without a journal or a path");
                    var id = client.CreateVideo(new CreateVideoRequest("m")).Id;
                    Equal(VideoStatus.Completed, client.ResumeJob(id, video, FastPolls).Status, "a resume with a path, without a journal");
                    Equal(MockVideoSize, new FileInfo(video).Length, "its video");
                }
                var disposed = NewClient();
                disposed.Dispose();
                Throws<ObjectDisposedException>(() => disposed.GetUnfinishedJobs(), "GetUnfinishedJobs on a disposed client");
                Throws<ObjectDisposedException>(() => disposed.ForgetJob(1), "ForgetJob on a disposed client");
                string journal;
                var directory = JournalDirectory(out journal);
                try
                {
                    var journaled = new TogetherVideoClient(JournalOptions(journal));
                    journaled.Dispose();
                    Throws<ObjectDisposedException>(() => journaled.GetUnfinishedJobs(), "GetUnfinishedJobs on a disposed journaled client");
                    Throws<ObjectDisposedException>(() => journaled.ForgetJob(1), "ForgetJob on a disposed journaled client");
                    var nul = Throws<ArgumentException>(() => new TogetherVideoClient(JournalOptions(journal + "\0x")), "a journal path with a NUL byte");
                    Equal("options", nul.ParamName, "a journal path with a NUL byte: parameter");
                    var nowhere = Throws<TogetherVideoException>(() => new TogetherVideoClient(JournalOptions(Path.Combine(directory, "no-such-dir", "jobs.journal"))),
                        "a journal in a directory that does not exist");
                    Equal(ResultCode.FileSystem, nowhere.Code, "a journal that cannot be opened: code");
                }
                finally
                {
                    Directory.Delete(directory, true);
                }
            }
            finally
            {
                File.Delete(video);
            }
        }

        public static void TestTheJournalsMethodsDocumentWhatTheyThrow()
        {
            var members = Documentation();
            foreach (var name in new[] { "M:TogetherVideo.TogetherVideoClient.GetUnfinishedJobs", "M:TogetherVideo.TogetherVideoClient.ForgetJob(System.Int64)" })
            {
                Check(members.ContainsKey(name), name + " is documented");
                var exceptions = members[name].GetElementsByTagName("exception").Cast<System.Xml.XmlElement>().Select(e => e.GetAttribute("cref")).ToList();
                foreach (var cref in new[] { "T:System.InvalidOperationException", "T:System.ObjectDisposedException", "T:TogetherVideo.TogetherVideoException" })
                    Check(exceptions.Contains(cref), name + " documents " + cref);
            }
            Check(members.ContainsKey("P:TogetherVideo.TogetherVideoClientOptions.JournalPath"), "JournalPath is documented");
        }
    }
}
