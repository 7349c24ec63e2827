package togethervideo

// The job journal (tv_client_options_set_journal): the library keeps the ids of the
// client's jobs in a file, so that a job whose id the process lost (a crash, a restart)
// can still be waited for and downloaded. UnfinishedJobs and ForgetJob are short native
// calls made on the calling goroutine's thread, which they keep to read the library's
// message of a failure; ResumeJob is a native request, waited on as WaitVideo's is.

/*
#include <stdlib.h>
#include "together_video.h"
*/
import "C"

import (
	"context"
	"runtime"
	"strconv"
	"time"
	"unsafe"
)

// WithJournal keeps a journal of the client's jobs in the file at path, created when
// missing, so that no job is lost with the process: each job the client creates
// (CreateVideo, CreateVideoJSON) is on disk, fsynced, before the call returns it, and
// the journal then follows it by id: the statuses its waits and gets see, and its
// download by DownloadVideoFile (where to, and when the file is in place). After a
// crash or a restart, a client on the same journal lists what is left with
// UnfinishedJobs and finishes each with ResumeJob.
//
// The journal is an append-only file of checksummed lines (a line torn by a crash is
// ignored), compacted when a client opens it; it holds ids, models, times, request
// hashes, statuses and destinations, never the API key. One client at a time may use a
// journal, in any process: while one has it open, NewClient on the same path fails with
// ErrInvalidArgument and the library's message, which names the journal (a lock file,
// path + ".lock", sits beside it). Close releases it. A path the library cannot create
// or write fails NewClient with ErrFileSystem; "" is ErrInvalidArgument.
//
// A completed job leaves the list once DownloadVideoFile (or ResumeJob) has put its
// file in place; downloads by URL, or to a writer, are not recorded, so forget such a
// job (ForgetJob) once you have its video. Failed and cancelled jobs leave by
// themselves.
func WithJournal(path string) Option {
	if path == "" {
		return optionFunc(func(s *settings) {
			s.apply = append(s.apply, func(*C.TvClientOptions) error {
				return invalidArgument("journal: the path is empty")
			})
		})
	}
	return optionString("journal", path, func(o *C.TvClientOptions, v *C.char) C.enum_TvResult {
		return C.tv_client_options_set_journal(o, v)
	})
}

// JournalEntry is one job of the client's journal that still needs the application, as
// UnfinishedJobs lists it: a job not finished, a job completed but not downloaded, or a
// create whose answer never came (see Unanswered). It is a copy: no native memory.
type JournalEntry struct {
	// Entry is the journal's number for the entry, for ForgetJob.
	Entry uint64
	// ID is the job's id, for ResumeJob. It is "" for a create that was sent but whose
	// answer never came (Unanswered): that job may exist all the same, and the API cannot
	// list jobs, so compare Model, CreatedAt and RequestHash with your own records, then
	// ForgetJob the entry.
	ID string
	// Model is the model the job was created with.
	Model string
	// CreatedAt is when the create was sent, by the client's clock (UTC).
	CreatedAt time.Time
	// RequestHash is a hash of the create's body (FNV-1a 64, in hex), to tell which of
	// your requests an entry is.
	RequestHash string
	// Status is the last status the client saw, "" before any.
	Status Status
	// Destination is where a download of the job was going, "" when none started
	// (ResumeJob then needs a path).
	Destination string
}

// Unanswered reports whether the entry is a create whose answer never came: it has no
// ID, and ResumeJob cannot finish it.
func (e JournalEntry) Unanswered() bool {
	return e.ID == ""
}

// String describes the entry on one line, for logs, e.g. "entry 3: job-1 (queued) m",
// "entry 4: unanswered create m".
func (e JournalEntry) String() string {
	head := "entry " + strconv.FormatUint(e.Entry, 10) + ": "
	if e.Unanswered() {
		return head + "unanswered create " + e.Model
	}
	status := string(e.Status)
	if status == "" {
		status = "no status yet"
	}
	text := head + e.ID + " (" + status + ") " + e.Model
	if e.Destination != "" {
		text += " -> " + e.Destination
	}
	return text
}

// journalCall runs f with the native client on one OS thread, for the library's message
// when it fails (the thread's last error).
func (c *Client) journalCall(f func(*C.TvClient) C.enum_TvResult) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	code, err := c.withNative(f)
	if err != nil {
		return err
	}
	if code != C.TV_RESULT_OK {
		return lastError(code, "")
	}
	return nil
}

// UnfinishedJobs lists, oldest first, the jobs of the client's journal (WithJournal)
// that still need the application: jobs not finished, jobs completed but not
// downloaded, and creates whose answer never came (JournalEntry.Unanswered). Right
// after NewClient, that is what the last process left; finish each job with ResumeJob.
// A client without a journal gets ErrInvalidArgument (the library's message says it
// has none); a closed one, ErrClosed. It reads the journal's state in memory and makes
// no request.
func (c *Client) UnfinishedJobs() ([]JournalEntry, error) {
	var list *C.TvJournalJobs
	if err := c.journalCall(func(client *C.TvClient) C.enum_TvResult {
		return C.tv_journal_unfinished(client, &list)
	}); err != nil {
		return nil, err
	}
	defer C.tv_journal_jobs_free(list)
	text := func(s *C.char) string {
		if s == nil {
			return ""
		}
		return C.GoString(s)
	}
	entries := make([]JournalEntry, 0, int(list.count))
	if list.count == 0 {
		return entries, nil
	}
	for i := 0; i < int(list.count); i++ {
		job := C.tv_journal_jobs_get(list, C.size_t(i))
		if job == nil {
			break
		}
		entries = append(entries, JournalEntry{
			Entry:       uint64(job.entry),
			ID:          text(job.id),
			Model:       text(job.model),
			CreatedAt:   unixTime(float64(job.created_at)),
			RequestHash: text(job.request_hash),
			Status:      Status(text(job.status_raw)),
			Destination: text(job.destination),
		})
	}
	return entries, nil
}

// ForgetJob drops entry (a JournalEntry's Entry) from the client's journal: you are
// done with it, say an unanswered create you have looked into, or a job you downloaded
// by URL. UnfinishedJobs no longer lists it. An entry not in the journal (forgotten
// already, or never there) is fine. A client without a journal gets
// ErrInvalidArgument; a journal that cannot be written, ErrFileSystem. The change is in
// the journal's file when ForgetJob returns, but not fsynced: after a power loss the
// entry may be listed again.
func (c *Client) ForgetJob(entry uint64) error {
	return c.journalCall(func(client *C.TvClient) C.enum_TvResult {
		return C.tv_journal_forget(client, C.uint64_t(entry))
	})
}

// ResumeJob finishes job id after a restart: it waits for the job as WaitVideo does
// and, once it is completed, downloads its video to path as DownloadVideoFile does
// (the journal sees the file in place, and the job leaves UnfinishedJobs). It returns
// the job's final state; a job that failed or was cancelled is returned, not
// downloaded, and is not an error. path "" means where the journal says a download of
// the job was going (JournalEntry.Destination); when it has none (no download started,
// or the client has no journal) ResumeJob fails at once with ErrInvalidArgument and the
// library's message. With a path it needs no journal.
//
// opts tune the wait as for WaitVideo (nil: the defaults), with two differences: the
// library reports no progress for a resume, so a Progress function is refused
// (ErrInvalidArgument), and an EventTag reports only EventDone, when the whole resume
// is over. ctx (or opts.Timeout) bounds the wait and the download together and cancels
// them at once, as ErrCancelled or ErrTimeout; a cancelled download leaves nothing
// under path.
//
// Like WaitVideo, the calling goroutine holds no OS thread while it waits; unlike a
// wait, the library runs a resume on one of the client's worker threads for its whole
// length, so to resume more jobs at once than WithWorkerThreads (default 4), raise it.
func (c *Client) ResumeJob(ctx context.Context, id, path string, opts *WaitOptions) (*Video, error) {
	if opts == nil {
		opts = &WaitOptions{}
	}
	if opts.Progress != nil {
		return nil, invalidArgument("ResumeJob reports no progress: WaitOptions.Progress must be nil")
	}
	cid, err := cString("id", id)
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(cid))
	var cpath *C.char // NULL: the journal's destination
	if path != "" {
		if cpath, err = cString("path", path); err != nil {
			return nil, err
		}
		defer C.free(unsafe.Pointer(cpath))
	}
	options, err := opts.native()
	if err != nil {
		return nil, err
	}
	defer C.tv_wait_options_free(options)
	k, err := c.begin(ctx, opts.Timeout, true)
	if err != nil {
		return nil, err
	}
	defer k.end()
	k.report(opts.EventTag)
	return c.run(k, func(client *C.TvClient, call *C.TvCallOptions, request **C.TvRequest, nativeErr **C.TvError) C.enum_TvResult {
		return C.tv_resume_job_start(client, cid, cpath, options, call, request, nativeErr)
	})
}
