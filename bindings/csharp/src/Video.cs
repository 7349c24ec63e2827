using System;
using System.Runtime.InteropServices;

namespace TogetherVideo
{
    /// <summary>A job's status. Unknown stands for any status this version does not know
    /// (<see cref="Video.StatusRaw"/> has the server's text).</summary>
    public enum VideoStatus
    {
        /// <summary>A status this version does not know, such as "expired".</summary>
        Unknown = 0,
        /// <summary>Waiting to start.</summary>
        Queued = 1,
        /// <summary>Being generated.</summary>
        InProgress = 2,
        /// <summary>Done: <see cref="Video.VideoUrl"/> and <see cref="Video.Cost"/> are set.</summary>
        Completed = 3,
        /// <summary>Done without a video: <see cref="Video.ErrorCode"/> and
        /// <see cref="Video.ErrorMessage"/> say why.</summary>
        Failed = 4,
        /// <summary>Cancelled on Together's side.</summary>
        Cancelled = 5,
    }

    /// <summary>A video job, copied out of the native library. Immutable. Absent strings
    /// are null; absent times, and times outside DateTimeOffset's range, are null.</summary>
    public sealed class Video
    {
        private Video() { }

        /// <summary>The job's id, e.g. "video_abc123".</summary>
        public string Id { get; private set; }
        /// <summary>The object type the server gave ("video"), or null.</summary>
        public string Object { get; private set; }
        /// <summary>The model generating the video, or null.</summary>
        public string Model { get; private set; }
        /// <summary>Where the job stands.</summary>
        public VideoStatus Status { get; private set; }
        /// <summary>The status exactly as the server sent it.</summary>
        public string StatusRaw { get; private set; }
        /// <summary>When the job was created, or null.</summary>
        public DateTimeOffset? CreatedAt { get; private set; }
        /// <summary>When the job ended, or null while it runs.</summary>
        public DateTimeOffset? CompletedAt { get; private set; }
        /// <summary>The resolution, e.g. "1366x768".</summary>
        public string Size { get; private set; }
        /// <summary>The clip's length in seconds, as text.</summary>
        public string Seconds { get; private set; }
        /// <summary>Why a failed job failed, as a code (e.g. "content_policy_violation"), or null.</summary>
        public string ErrorCode { get; private set; }
        /// <summary>Why a failed job failed, in words, or null.</summary>
        public string ErrorMessage { get; private set; }
        /// <summary>True once the job has outputs (cost and URL).</summary>
        public bool HasOutputs { get; private set; }
        /// <summary>What the job cost in credits, or null when it has no outputs yet.</summary>
        public double? Cost { get; private set; }
        /// <summary>Where the finished video can be downloaded, or null.</summary>
        public string VideoUrl { get; private set; }
        /// <summary>The response body as received.</summary>
        public string Json { get; private set; }

        /// <summary>True once the job will not change any more.</summary>
        public bool IsTerminal
        {
            get { return Status == VideoStatus.Completed || Status == VideoStatus.Failed || Status == VideoStatus.Cancelled; }
        }

        /// <summary>The id and the status as the server sent it, e.g. "video_abc123 (queued)".</summary>
        /// <returns>A short description for logs.</returns>
        public override string ToString() { return Id + " (" + StatusRaw + ")"; }

        /// <summary>Copies a native video; does not free it.</summary>
        internal static Video FromNative(IntPtr pointer)
        {
            var native = (TvVideo)Marshal.PtrToStructure(pointer, typeof(TvVideo));
            return new Video
            {
                Id = Utf8.FromNative(native.id),
                Object = Utf8.FromNative(native.@object),
                Model = Utf8.FromNative(native.model),
                // A range check: Enum.IsDefined goes through reflection on every call.
                Status = native.status >= (int)VideoStatus.Unknown && native.status <= (int)VideoStatus.Cancelled ? (VideoStatus)native.status : VideoStatus.Unknown,
                StatusRaw = Utf8.FromNative(native.status_raw),
                CreatedAt = native.created_at != 0 ? FromUnix(native.created_at) : null,
                CompletedAt = native.has_completed_at ? FromUnix(native.completed_at) : null,
                Size = Utf8.FromNative(native.size),
                Seconds = Utf8.FromNative(native.seconds),
                ErrorCode = Utf8.FromNative(native.error_code),
                ErrorMessage = Utf8.FromNative(native.error_message),
                HasOutputs = native.has_outputs,
                Cost = native.has_outputs ? native.cost : (double?)null,
                VideoUrl = Utf8.FromNative(native.video_url),
                Json = Utf8.FromNative(native.json),
            };
        }

        /// <summary>Copies a native video and frees it.</summary>
        internal static Video Take(VideoHandle handle)
        {
            using (handle)
            {
                bool added = false;
                try
                {
                    handle.DangerousAddRef(ref added);
                    return FromNative(handle.DangerousGetHandle());
                }
                finally
                {
                    if (added) handle.DangerousRelease();
                }
            }
        }

        /// <summary>Copies a native video the caller owns, and frees it.</summary>
        internal static Video Take(IntPtr pointer)
        {
            try
            {
                return FromNative(pointer);
            }
            finally
            {
                Native.tv_video_free(pointer);
            }
        }

        internal static readonly DateTimeOffset UnixEpoch = new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);

        /// <summary>Unix seconds as a time, or null for one that DateTimeOffset cannot hold
        /// (before year 1 or after 9999, NaN, infinite): a server's odd value must not fail
        /// the call that read it.</summary>
        internal static DateTimeOffset? FromUnix(double seconds)
        {
            double ticks = Math.Round(seconds * TimeSpan.TicksPerSecond);
            // NaN fails this test too; under 4e18 ticks (12 700 years) the cast cannot overflow.
            if (!(Math.Abs(ticks) < 4e18)) return null;
            long fromEpoch = (long)ticks;
            if (fromEpoch < DateTimeOffset.MinValue.UtcTicks - UnixEpoch.UtcTicks
                || fromEpoch > DateTimeOffset.MaxValue.UtcTicks - UnixEpoch.UtcTicks) return null;
            return UnixEpoch.AddTicks(fromEpoch);
        }
    }
}
