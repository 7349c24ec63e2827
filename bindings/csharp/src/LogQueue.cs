// LogQueue hands the client's events from the library's threads to one thread of the
// caller's: the adapter for Unity, whose Debug.Log belongs on the main thread (the binding
// cannot reference UnityEngine).
using System;
using System.Collections.Generic;
using System.Threading;

namespace TogetherVideo
{
    /// <summary>Events queued from any thread, to be handled on one thread of yours: the
    /// adapter for a game engine whose console may only be used from its main thread
    /// (Unity's Debug.Log). Pass <see cref="Add"/> as
    /// <see cref="TogetherVideoClientOptions.Log"/>, and call <see cref="Drain(Action{object}, Action{object}, Action{object})"/>
    /// once per frame (a MonoBehaviour's Update):
    /// <code>
    /// private readonly LogQueue log = new LogQueue();
    /// // new TogetherVideoClientOptions { Log = log.Add, LogLevel = LogLevel.Info }
    /// private void Update() { log.Drain(Debug.LogError, Debug.LogWarning, Debug.Log); }
    /// </code>
    /// Thread-safe. Bounded: when <see cref="Capacity"/> events wait, newer ones are dropped
    /// and counted in <see cref="Dropped"/>, so a queue nobody drains cannot grow without
    /// end.</summary>
    public sealed class LogQueue
    {
        private readonly Queue<LogEvent> events = new Queue<LogEvent>();
        private long dropped;

        /// <summary>A queue that holds up to 10 000 events.</summary>
        public LogQueue() : this(10000) { }

        /// <summary>A queue that holds up to <paramref name="capacity"/> events.</summary>
        /// <param name="capacity">How many events may wait; at least 1.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is less than 1.</exception>
        public LogQueue(int capacity)
        {
            if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), "the capacity must be at least 1, not " + capacity);
            Capacity = capacity;
        }

        /// <summary>How many events may wait at once.</summary>
        public int Capacity { get; private set; }

        /// <summary>How many events wait now.</summary>
        public int Count
        {
            get
            {
                lock (events) return events.Count;
            }
        }

        /// <summary>How many events were dropped because <see cref="Capacity"/> events were
        /// waiting, since the queue was made.</summary>
        public long Dropped { get { return Interlocked.Read(ref dropped); } }

        /// <summary>Queues an event; from any thread, several at once. Its signature is
        /// <see cref="TogetherVideoClientOptions.Log"/>'s: pass <c>log.Add</c>.</summary>
        /// <param name="level">The event's level (also <see cref="LogEvent.Level"/>).</param>
        /// <param name="logEvent">The event; null is ignored.</param>
        public void Add(LogLevel level, LogEvent logEvent)
        {
            if (logEvent == null) return;
            lock (events)
            {
                if (events.Count < Capacity)
                {
                    events.Enqueue(logEvent);
                    return;
                }
            }
            Interlocked.Increment(ref dropped);
        }

        /// <summary>Hands the events waiting now, oldest first, to
        /// <paramref name="handler"/> on this thread. Events queued meanwhile wait for the
        /// next call, so a handler that logs cannot keep it going. If the handler throws,
        /// the exception comes out of this call and the events not yet handled stay queued.</summary>
        /// <param name="handler">Told each event and its level.</param>
        /// <returns>How many events the handler was given.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
        public int Drain(Action<LogLevel, LogEvent> handler)
        {
            if (handler == null) throw new ArgumentNullException(nameof(handler));
            int limit = Count;
            int handled = 0;
            while (handled < limit)
            {
                LogEvent next;
                lock (events)
                {
                    if (events.Count == 0) break;
                    next = events.Dequeue();
                }
                handled++;
                handler(next.Level, next);
            }
            return handled;
        }

        /// <summary>Hands the events waiting now, oldest first, to one of three consoles by
        /// level, each as its one-line text (<see cref="LogEvent.ToString"/>): for Unity,
        /// <c>log.Drain(Debug.LogError, Debug.LogWarning, Debug.Log)</c> in Update. As
        /// <see cref="Drain(Action{LogLevel, LogEvent})"/> otherwise.</summary>
        /// <param name="error">Told errors.</param>
        /// <param name="warning">Told warnings.</param>
        /// <param name="info">Told the rest: info, debug and trace.</param>
        /// <returns>How many events were handed on.</returns>
        /// <exception cref="ArgumentNullException">A console is null.</exception>
        public int Drain(Action<object> error, Action<object> warning, Action<object> info)
        {
            if (error == null) throw new ArgumentNullException(nameof(error));
            if (warning == null) throw new ArgumentNullException(nameof(warning));
            if (info == null) throw new ArgumentNullException(nameof(info));
            return Drain((level, e) =>
            {
                var line = e.ToString();
                if (level <= LogLevel.Error) error(line);
                else if (level == LogLevel.Warn) warning(line);
                else info(line);
            });
        }
    }
}
