//! The job journal: an opt-in file where a client records the jobs it creates, so that
//! a job id survives the process (Together's API has no list endpoint: a lost id is a
//! paid video nobody can fetch).
//!
//! An append-only log of checksummed lines, `CRC32 JSON\n`, each record fsynced before
//! the call that made it goes on: a create's intent before the request is sent, the
//! created job (id, model, created time, a hash of the request) before it is returned
//! to the caller, a terminal status, a download's destination before it starts and its
//! completion after the file is in place. A crash at any point leaves at worst a torn
//! last line, which the checksum rejects. Why a log rather than rewriting one file:
//! one small sequential write and one fsync per record, and no window in which the file
//! is replaced. Opening the journal replays it and compacts it (finished jobs dropped)
//! into a temporary file that is fsynced and renamed over it, the directory fsynced
//! too. An advisory lock keeps a second process out. The API key is never written.

use std::collections::{BTreeMap, HashMap};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::model::{Video, VideoStatus};

/// What the journal knows of one job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalJob {
    /// The journal's number for this entry, for [`Client::journal_forget`](crate::Client::journal_forget).
    pub entry: u64,
    /// `None` for a create that was sent but whose answer never arrived: the job may
    /// exist (and cost money) without its id being known.
    pub id: Option<String>,
    pub model: String,
    /// Unix seconds when the create was sent.
    pub created_at: f64,
    /// A hash (FNV-1a, 64 bits, hex) of the request body: which request made it.
    pub request_hash: String,
    /// The last status the client saw; `None` before any.
    pub status: Option<String>,
    /// Where a download of it was going, and whether it finished there.
    pub destination: Option<PathBuf>,
    pub downloaded: bool,
}

impl JournalJob {
    /// Still needs the application: not terminal, or completed and not downloaded.
    pub fn unfinished(&self) -> bool {
        match self.status.as_deref().map(VideoStatus::parse) {
            Some(VideoStatus::Failed | VideoStatus::Cancelled) => false,
            Some(VideoStatus::Completed) => !self.downloaded,
            _ => true,
        }
    }
}

/// One line of the log.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
enum Record {
    /// A create is about to be sent; `intent` pairs it with its `Created`.
    Creating {
        intent: u64,
        model: String,
        at: f64,
        request_hash: String,
    },
    Created {
        intent: u64,
        id: String,
    },
    Status {
        id: String,
        status: String,
    },
    Downloading {
        id: String,
        destination: PathBuf,
    },
    Downloaded {
        id: String,
    },
    /// The application is done with the entry (or a create was refused for sure).
    Forget {
        intent: u64,
    },
    /// Entries are numbered from here on (written first by each compaction, so that a
    /// number is never given to two entries).
    Next {
        intent: u64,
    },
}

pub(crate) struct Journal {
    path: PathBuf,
    state: Mutex<State>,
    /// Locked while open: keeps a second client, in this process or another, out.
    _lock: File,
}

struct State {
    file: File,
    /// The journal's length after the last whole record: a failed write is cut back to it.
    length: u64,
    /// Records appended since the last compaction.
    appended: usize,
    jobs: Jobs,
    next_intent: u64,
}

/// By intent number: every job not finished, and the intents not yet answered; indexed
/// by job id.
#[derive(Default)]
struct Jobs {
    by_intent: BTreeMap<u64, JournalJob>,
    by_id: HashMap<String, u64>,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal").field("path", &self.path).finish_non_exhaustive()
    }
}

fn now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

/// FNV-1a, 64 bits: a request's fingerprint (not a secret's: the body holds no key).
pub(crate) fn request_hash(body: &[u8]) -> String {
    let hash = body
        .iter()
        .fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| (hash ^ u64::from(*byte)).wrapping_mul(0x100_0000_01b3));
    format!("{hash:016x}")
}

/// CRC-32 (IEEE), bitwise: a few hundred bytes per record.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn line(record: &Record) -> String {
    let json = serde_json::to_string(record).expect("records serialise");
    format!("{:08x} {json}\n", crc32(json.as_bytes()))
}

/// The record of one line, if it is whole and its checksum holds.
fn parse(line: &str) -> Option<Record> {
    let (crc, json) = line.split_once(' ')?;
    (u32::from_str_radix(crc, 16).ok()? == crc32(json.as_bytes())).then(|| serde_json::from_str(json).ok()).flatten()
}

fn io(path: &Path, what: &str, error: std::io::Error) -> Error {
    Error::file_system(format!("journal {}: cannot {what}: {error}", path.display()))
}

impl Journal {
    /// Opens (or creates) the journal at `path`, replays and compacts it, and locks it
    /// against other processes.
    pub(crate) fn open(path: &Path) -> Result<Journal, Error> {
        if path.as_os_str().is_empty() {
            return Err(Error::invalid("the journal's path is empty"));
        }
        // Absolute: the journal stays the same file whatever the working directory does.
        let path = &std::path::absolute(path).map_err(|e| io(path, "resolve", e))?;
        // Held while the journal is open. A file of its own: compacting replaces the
        // journal's, and a lock on the replaced file would lock nothing.
        let lock_path = lock_path(path);
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| io(&lock_path, "open", e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::invalid(format!("journal {} is in use by another client", path.display())))
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(&lock_path, "lock", e)),
        }
        let mut bytes = Vec::new();
        match File::open(path) {
            Ok(mut file) => {
                file.read_to_end(&mut bytes).map_err(|e| io(path, "read", e))?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(path, "open", e)),
        }
        let mut jobs = Jobs::default();
        let mut next_intent = 0;
        let lines: Vec<&[u8]> = bytes.split(|byte| *byte == b'\n').collect();
        let mut damaged = false;
        for (index, text) in lines.iter().enumerate() {
            if text.is_empty() {
                continue;
            }
            // A line that does not check out: torn by a crash (the last one) or damaged
            // on disk. Skipped either way; the rest still counts.
            match std::str::from_utf8(text).ok().and_then(parse) {
                Some(record) => next_intent = next_intent.max(apply(&mut jobs, record) + 1),
                None => damaged |= index + 1 < lines.len(),
            }
        }
        if damaged {
            // Damage inside the file, not a torn end: keep the original for inspection.
            let mut copy = path.as_os_str().to_owned();
            copy.push(format!(".damaged-{}", now() as u64));
            std::fs::copy(path, PathBuf::from(copy)).map_err(|e| io(path, "keep a copy of", e))?;
        }
        let file = write_compacted(path, &jobs, next_intent)?;
        let length = file.metadata().map_err(|e| io(path, "read", e))?.len();
        let state = State { file, length, appended: 0, jobs, next_intent };
        Ok(Journal { path: path.to_owned(), state: Mutex::new(state), _lock: lock })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends `record` and, when `durable`, waits until it is on disk. A write or sync
    /// that fails is cut back off the file, so the next record starts on a line of its
    /// own, and the record does not count.
    fn append(&self, state: &mut State, record: Record, durable: bool) -> Result<(), Error> {
        let text = line(&record);
        let written = state.file.write_all(text.as_bytes()).and_then(|()| match durable {
            true => state.file.sync_data(),
            false => Ok(()),
        });
        if let Err(error) = written {
            let _ = state.file.set_len(state.length);
            return Err(io(&self.path, "write", error));
        }
        state.length += text.len() as u64;
        state.appended += 1;
        apply(&mut state.jobs, record);
        // Finished jobs pile up as records: rewrite the log now and then.
        if state.appended > 1000 && state.appended > 4 * state.jobs.by_intent.len() {
            match write_compacted(&self.path, &state.jobs, state.next_intent) {
                Ok(file) => {
                    state.length = file.metadata().map_or(0, |m| m.len());
                    state.file = file;
                    state.appended = 0;
                }
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }

    /// Before a create is sent: returns the intent to pass to [`Journal::created`].
    pub(crate) fn creating(&self, model: &str, body: &[u8]) -> Result<u64, Error> {
        let mut state = self.state();
        let intent = state.next_intent;
        state.next_intent += 1;
        let record = Record::Creating { intent, model: model.to_owned(), at: now(), request_hash: request_hash(body) };
        self.append(&mut state, record, true)?;
        Ok(intent)
    }

    /// The server created `video` for the create `intent`.
    pub(crate) fn created(&self, intent: u64, video: &Video) -> Result<(), Error> {
        let mut state = self.state();
        self.append(&mut state, Record::Created { intent, id: video.id.clone() }, true)?;
        self.status_locked(&mut state, video)
    }

    /// Forgets entry `intent`: a create the server refused for sure, or one the
    /// application is done with. Unknown entries are fine.
    pub(crate) fn forget(&self, intent: u64) -> Result<(), Error> {
        let mut state = self.state();
        if !state.jobs.by_intent.contains_key(&intent) {
            return Ok(());
        }
        self.append(&mut state, Record::Forget { intent }, false)
    }

    /// The client saw `video`: its status is recorded, durably when terminal.
    pub(crate) fn saw(&self, video: &Video) -> Result<(), Error> {
        let mut state = self.state();
        self.status_locked(&mut state, video)
    }

    fn status_locked(&self, state: &mut State, video: &Video) -> Result<(), Error> {
        let Some(job) = state.jobs.by_id(&video.id) else { return Ok(()) };
        if job.status.as_deref() == Some(video.status_raw.as_str()) {
            return Ok(());
        }
        let terminal = matches!(video.status, VideoStatus::Completed | VideoStatus::Failed | VideoStatus::Cancelled);
        let record = Record::Status { id: video.id.clone(), status: video.status_raw.clone() };
        self.append(state, record, terminal)
    }

    /// A download of job `id` starts to `destination`.
    pub(crate) fn downloading(&self, id: &str, destination: &Path) -> Result<(), Error> {
        let mut state = self.state();
        if state.jobs.by_id(id).is_none() {
            return Ok(());
        }
        let destination = std::path::absolute(destination).unwrap_or_else(|_| destination.to_owned());
        self.append(&mut state, Record::Downloading { id: id.to_owned(), destination }, true)
    }

    /// A download of job `id` is complete, its file in place.
    pub(crate) fn downloaded(&self, id: &str) -> Result<(), Error> {
        let mut state = self.state();
        if state.jobs.by_id(id).is_none() {
            return Ok(());
        }
        self.append(&mut state, Record::Downloaded { id: id.to_owned() }, true)
    }

    /// The jobs that still need the application, oldest first.
    pub(crate) fn unfinished(&self) -> Vec<JournalJob> {
        self.state().jobs.by_intent.values().filter(|job| job.unfinished()).cloned().collect()
    }

    /// Where a download of job `id` was going, if one was started.
    pub(crate) fn destination(&self, id: &str) -> Option<PathBuf> {
        self.state().jobs.by_id(id).and_then(|job| job.destination.clone())
    }
}

impl Jobs {
    fn by_id(&self, id: &str) -> Option<&JournalJob> {
        self.by_intent.get(self.by_id.get(id)?)
    }

    fn by_id_mut(&mut self, id: &str) -> Option<(u64, &mut JournalJob)> {
        let intent = *self.by_id.get(id)?;
        self.by_intent.get_mut(&intent).map(|job| (intent, job))
    }

    fn remove(&mut self, intent: u64) {
        if let Some(id) = self.by_intent.remove(&intent).and_then(|job| job.id) {
            self.by_id.remove(&id);
        }
    }
}

/// Applies `record` to `jobs` (a job that is finished by it is dropped); returns the
/// intent it concerns (0 when it names none).
fn apply(jobs: &mut Jobs, record: Record) -> u64 {
    let intent = match record {
        Record::Creating { intent, model, at, request_hash } => {
            let job = JournalJob {
                entry: intent,
                id: None,
                model,
                created_at: at,
                request_hash,
                status: None,
                destination: None,
                downloaded: false,
            };
            jobs.by_intent.insert(intent, job);
            intent
        }
        Record::Created { intent, id } => {
            if let Some(job) = jobs.by_intent.get_mut(&intent) {
                job.id = Some(id.clone());
                jobs.by_id.insert(id, intent);
            }
            intent
        }
        Record::Status { id, status } => jobs.by_id_mut(&id).map_or(0, |(intent, job)| {
            job.status = Some(status);
            intent
        }),
        Record::Downloading { id, destination } => jobs.by_id_mut(&id).map_or(0, |(intent, job)| {
            job.destination = Some(destination);
            job.downloaded = false;
            intent
        }),
        Record::Downloaded { id } => jobs.by_id_mut(&id).map_or(0, |(intent, job)| {
            job.downloaded = true;
            intent
        }),
        Record::Forget { intent } => {
            jobs.remove(intent);
            return intent;
        }
        Record::Next { intent } => return intent.saturating_sub(1),
    };
    if jobs.by_intent.get(&intent).is_some_and(|job| !job.unfinished()) {
        jobs.remove(intent);
    }
    intent
}

/// Writes `jobs` as a new log in place of the one at `path` (temporary file, fsync,
/// rename, directory fsync) and opens it for appending.
fn write_compacted(path: &Path, jobs: &Jobs, next_intent: u64) -> Result<File, Error> {
    let mut temp = path.as_os_str().to_owned();
    temp.push(".compacting");
    let temp = PathBuf::from(temp);
    {
        let mut file = File::create(&temp).map_err(|e| io(&temp, "create", e))?;
        let mut text = line(&Record::Next { intent: next_intent });
        for (intent, job) in &jobs.by_intent {
            for record in records_of(*intent, job) {
                text.push_str(&line(&record));
            }
        }
        file.write_all(text.as_bytes()).map_err(|e| io(&temp, "write", e))?;
        file.sync_all().map_err(|e| io(&temp, "sync", e))?;
    }
    std::fs::rename(&temp, path).map_err(|e| io(path, "replace", e))?;
    sync_directory(path);
    OpenOptions::new().append(true).open(path).map_err(|e| io(path, "open", e))
}

/// The records that rebuild `job` under `intent`.
fn records_of(intent: u64, job: &JournalJob) -> Vec<Record> {
    let mut records = vec![Record::Creating {
        intent,
        model: job.model.clone(),
        at: job.created_at,
        request_hash: job.request_hash.clone(),
    }];
    if let Some(id) = &job.id {
        records.push(Record::Created { intent, id: id.clone() });
        if let Some(status) = &job.status {
            records.push(Record::Status { id: id.clone(), status: status.clone() });
        }
        if let Some(destination) = &job.destination {
            records.push(Record::Downloading { id: id.clone(), destination: destination.clone() });
        }
        if job.downloaded {
            records.push(Record::Downloaded { id: id.clone() });
        }
    }
    records
}

/// The lock file beside the journal: `<journal>.lock`.
fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Makes a rename in `path`'s directory durable (where the platform can).
fn sync_directory(path: &Path) {
    #[cfg(unix)]
    if let Some(directory) = path.parent().map(|p| if p.as_os_str().is_empty() { Path::new(".") } else { p }) {
        if let Ok(directory) = File::open(directory) {
            let _ = directory.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn video(id: &str, status: &str) -> Video {
        Video::from_json(format!(r#"{{"id":"{id}","status":"{status}"}}"#).into_bytes()).unwrap()
    }

    #[test]
    #[cfg_attr(miri, ignore = "file locks, fsync and copies are system calls Miri does not run")]
    fn a_torn_last_line_is_skipped_and_finished_jobs_are_dropped() {
        let dir = std::env::temp_dir().join(format!("tv-journal-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("jobs.journal");
        let _ = std::fs::remove_file(&path);
        {
            let journal = Journal::open(&path).unwrap();
            let a = journal.creating("m", b"{\"model\":\"m\"}").unwrap();
            journal.created(a, &video("job-a", "queued")).unwrap();
            let b = journal.creating("m", b"{}").unwrap();
            journal.created(b, &video("job-b", "queued")).unwrap();
            journal.saw(&video("job-b", "failed")).unwrap();
            let _unanswered = journal.creating("m", b"{\"x\":1}").unwrap();
            let refused = journal.creating("m", b"{}").unwrap();
            journal.forget(refused).unwrap();
            journal.downloading("job-a", Path::new("a.mp4")).unwrap();
        }
        // A crash in the middle of a line.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"0badc0de {\"record\":\"downl")
            .unwrap();
        let journal = Journal::open(&path).unwrap();
        let jobs = journal.unfinished();
        assert_eq!(jobs.len(), 2, "{jobs:?}");
        assert_eq!(jobs[0].id.as_deref(), Some("job-a"));
        assert!(jobs[0].destination.as_ref().unwrap().ends_with("a.mp4"));
        assert_eq!(jobs[1].id, None, "the unanswered create");
        assert_eq!(jobs[1].request_hash, request_hash(b"{\"x\":1}"));
        assert!(Journal::open(&path).is_err(), "locked by the first");
        drop(journal);
        // Damage inside the file (not a torn end): the other lines count, a copy is kept.
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[5] = 0xFF; // inside the first line, the entry counter
        std::fs::write(&path, &bytes).unwrap();
        let journal = Journal::open(&path).unwrap();
        assert_eq!(journal.unfinished().len(), 2, "a bad line loses nothing of the others");
        assert!(std::fs::read_dir(&dir).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains(".damaged-")));
        // Entry numbers are not given twice, even once the highest were compacted away.
        let next = journal.creating("m", b"{}").unwrap();
        journal.forget(next).unwrap();
        drop(journal);
        let journal = Journal::open(&path).unwrap();
        assert!(journal.creating("m", b"{}").unwrap() > next);
        drop(journal);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
