// The job journal's entries (TvJournalJob in together_video.h), copied out of the
// library's list, which is freed at once.
using System;
using System.Runtime.InteropServices;

namespace TogetherVideo
{
    /// <summary>One job of the journal that still needs the application, as
    /// <see cref="TogetherVideoClient.GetUnfinishedJobs"/> lists it: a job not finished, a
    /// job completed but not downloaded, or a create whose answer never came
    /// (<see cref="Id"/> null). Immutable: a copy, safe to keep and to pass to another
    /// thread.</summary>
    /// <remarks>Finish a job that has an id with
    /// <see cref="TogetherVideoClient.ResumeJob(string, string, WaitOptions, System.Threading.CancellationToken)"/>;
    /// drop an entry you have dealt with otherwise (an unanswered create, say) with
    /// <see cref="TogetherVideoClient.ForgetJob(long)"/>.</remarks>
    public sealed class JournalEntry
    {
        private JournalEntry() { }

        /// <summary>The journal's number for the entry, for
        /// <see cref="TogetherVideoClient.ForgetJob(long)"/>. (The library's number is
        /// unsigned 64-bit; its bits are kept, so any value passed back is the same entry.)</summary>
        public long Entry { get; private set; }

        /// <summary>The job's id; null for a create that was sent but whose answer never
        /// came. That job may exist all the same: compare <see cref="Model"/>,
        /// <see cref="CreatedAt"/> and <see cref="RequestHash"/> with your own records.</summary>
        public string Id { get; private set; }

        /// <summary>The model the job was created with.</summary>
        public string Model { get; private set; }

        /// <summary>When the create was sent, as the client's clock said (the Unix epoch if
        /// the journal's time cannot be a DateTimeOffset).</summary>
        public DateTimeOffset CreatedAt { get; private set; }

        /// <summary>A hash of the create's body (FNV-1a 64, in hex), to tell which of your
        /// requests an entry is.</summary>
        public string RequestHash { get; private set; }

        /// <summary>The last status the client saw, or null before any;
        /// <see cref="VideoStatus.Unknown"/> for a status this version does not know
        /// (<see cref="StatusRaw"/> has the text).</summary>
        public VideoStatus? Status { get; private set; }

        /// <summary>The last status the client saw, as the server sent it; null before any.</summary>
        public string StatusRaw { get; private set; }

        /// <summary>Where a download of the job was going; null when none started (a resume
        /// then needs a path).</summary>
        public string Destination { get; private set; }

        /// <summary>A short description for logs, e.g. "entry 3: video_abc123 (queued) m",
        /// "entry 4: unanswered create m".</summary>
        /// <returns>The description, on one line.</returns>
        public override string ToString()
        {
            var head = "entry " + Entry + ": ";
            if (Id == null) return head + "unanswered create " + Model;
            return head + Id + " (" + (StatusRaw ?? "no status yet") + ") " + Model
                + (Destination != null ? " -> " + Destination : "");
        }

        /// <summary>Copies a native list from tv_journal_unfinished (which the caller frees).</summary>
        internal static JournalEntry[] FromNative(IntPtr list)
        {
            var native = (TvJournalJobs)Marshal.PtrToStructure(list, typeof(TvJournalJobs));
            ulong count = native.count.ToUInt64();
            if (count > int.MaxValue) throw new TogetherVideoException(ResultCode.Internal, "the journal listed " + count + " entries", 0, null);
            var entries = new JournalEntry[(int)count];
            for (int i = 0; i < entries.Length; i++)
            {
                var pointer = Native.tv_journal_jobs_get(list, new UIntPtr((uint)i));
                if (pointer == IntPtr.Zero) throw new TogetherVideoException(ResultCode.Internal, "the journal's entry " + i + " is missing", 0, null);
                var job = (TvJournalJob)Marshal.PtrToStructure(pointer, typeof(TvJournalJob));
                var statusRaw = Utf8.FromNative(job.status_raw);
                entries[i] = new JournalEntry
                {
                    Entry = unchecked((long)job.entry),
                    Id = Utf8.FromNative(job.id),
                    Model = Utf8.FromNative(job.model),
                    CreatedAt = Video.FromUnix(job.created_at) ?? Video.UnixEpoch,
                    RequestHash = Utf8.FromNative(job.request_hash),
                    Status = statusRaw != null ? StatusOf(statusRaw) : (VideoStatus?)null,
                    StatusRaw = statusRaw,
                    Destination = Utf8.FromNative(job.destination),
                };
            }
            return entries;
        }

        /// <summary>The server's status text as the library reads it.</summary>
        private static VideoStatus StatusOf(string raw)
        {
            switch (raw)
            {
                case "queued": return VideoStatus.Queued;
                case "in_progress": return VideoStatus.InProgress;
                case "completed": return VideoStatus.Completed;
                case "failed": return VideoStatus.Failed;
                case "cancelled":
                case "canceled": return VideoStatus.Cancelled;
                default: return VideoStatus.Unknown;
            }
        }
    }
}
