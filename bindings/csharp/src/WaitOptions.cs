using System;

namespace TogetherVideo
{
    /// <summary>How <see cref="TogetherVideoClient.WaitForVideo(string, WaitOptions, System.Threading.CancellationToken)"/>
    /// and <see cref="TogetherVideoClient.WaitForVideoAsync(string, WaitOptions, System.Threading.CancellationToken)"/>
    /// wait. Read when a wait starts; one instance may serve any number of waits.</summary>
    public sealed class WaitOptions
    {
        /// <summary>The time between polls: 1 ms to 1 hour, default 2 s. A server's
        /// Retry-After may lengthen it, never shorten it.</summary>
        public TimeSpan? PollInterval { get; set; }

        /// <summary>Bounds the whole wait, the request in flight included
        /// (<see cref="RequestTimeoutException"/>); null waits as long as the job takes.</summary>
        public TimeSpan? Timeout { get; set; }

        /// <summary>Told every polled state: on the calling thread for a blocking wait, on a
        /// library thread for an asynchronous one (where <see cref="Progress{T}"/> posts it
        /// to the SynchronizationContext it was created on, such as Unity's main thread).
        /// An exception it throws ends the wait with that exception.</summary>
        public IProgress<Video> Progress { get; set; }

        /// <summary>Has an asynchronous wait report to the client's event queue under this
        /// tag, a number of yours (an index, a key into your own table) that comes back as
        /// <see cref="ClientEvent.Tag"/>: each change of the job's status
        /// (<see cref="ClientEventKind.StatusChanged"/>, its first poll included) and the
        /// wait's end (<see cref="ClientEventKind.Done"/>), read with
        /// <see cref="TogetherVideoClient.TryGetEvent(out ClientEvent)"/>,
        /// <see cref="TogetherVideoClient.WaitForEvent(TimeSpan, System.Threading.CancellationToken)"/>
        /// or <see cref="TogetherVideoClient.PumpEvents(Action{ClientEvent}, int)"/>. Null,
        /// the default, reports nothing there. Any value is fine, and several calls may
        /// share one. <see cref="Progress"/> keeps working alongside; blocking waits ignore
        /// the tag.</summary>
        public long? EventTag { get; set; }
    }
}
