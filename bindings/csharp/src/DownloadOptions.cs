using System;

namespace TogetherVideo
{
    /// <summary>How a download runs, for the overloads of
    /// <see cref="TogetherVideoClient.DownloadAsync(Video, string, DownloadOptions, System.Threading.CancellationToken)"/>,
    /// <see cref="TogetherVideoClient.DownloadVideoAsync(string, string, DownloadOptions, System.Threading.CancellationToken)"/>,
    /// <see cref="TogetherVideoClient.DownloadUrlAsync(string, string, DownloadOptions, System.Threading.CancellationToken)"/>
    /// and their blocking and <see cref="System.IO.Stream"/> forms that take one. Read when
    /// a download starts; one instance may serve any number of downloads. Null, or a
    /// property left null, keeps the default.</summary>
    public sealed class DownloadOptions
    {
        /// <summary>Told the bytes received so far: on the calling thread for a blocking
        /// download, on a library thread for an asynchronous one. An exception it throws
        /// ends the download with that exception.</summary>
        public IProgress<DownloadProgress> Progress { get; set; }

        /// <summary>Bounds the whole download (<see cref="RequestTimeoutException"/>), the
        /// GET of the job included for a download by job id; null or zero: no bound.</summary>
        public TimeSpan? Timeout { get; set; }

        /// <summary>Has an asynchronous download report to the client's event queue under
        /// this tag, a number of yours (an index, a key into your own table) that comes
        /// back as <see cref="ClientEvent.Tag"/>: its progress
        /// (<see cref="ClientEventKind.DownloadProgress"/>) and its end
        /// (<see cref="ClientEventKind.Done"/>), read with
        /// <see cref="TogetherVideoClient.TryGetEvent(out ClientEvent)"/>,
        /// <see cref="TogetherVideoClient.WaitForEvent(TimeSpan, System.Threading.CancellationToken)"/>
        /// or <see cref="TogetherVideoClient.PumpEvents(Action{ClientEvent}, int)"/>. Null,
        /// the default, reports nothing there. Any value is fine, and several calls may
        /// share one. Blocking downloads ignore it.</summary>
        public long? EventTag { get; set; }
    }
}
