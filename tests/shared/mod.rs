//! What several test programs share (each `tests/*.rs` is a crate of its own).

use std::sync::Arc;
use std::time::Duration;

use together_video::{Client, ClientConfig, ProxySetting};
use tv_mock::{MockServer, DEFAULT_API_KEY};

/// A client for the mock, with `worker_threads` library threads for non-blocking calls.
pub fn client(server: &MockServer, worker_threads: usize) -> Arc<Client> {
    Arc::new(
        Client::new(&ClientConfig {
            api_key: Some(DEFAULT_API_KEY.into()),
            base_url: Some(server.base_url()),
            timeout: Duration::from_secs(20),
            proxy: ProxySetting::Direct,
            worker_threads,
            ..ClientConfig::default()
        })
        .unwrap(),
    )
}
