//! TLS through the mock: built-in roots refuse a private CA, a configured CA file is
//! trusted, a certificate for another name is refused, and https never redirects to http.

use std::time::Duration;

use together_video::{Client, ClientConfig, ErrorKind, ProxySetting, TrustRoots, VideoStatus};
use tv_mock::{test_ca_file, Certificate, MockServer, DEFAULT_API_KEY};

fn client(server: &MockServer, roots: TrustRoots) -> Client {
    Client::new(&ClientConfig {
        api_key: Some(DEFAULT_API_KEY.into()),
        base_url: Some(server.base_url()),
        timeout: Duration::from_secs(10),
        max_retries: 0,
        proxy: ProxySetting::Direct,
        trust_roots: roots,
        ..ClientConfig::default()
    })
    .unwrap()
}

#[test]
fn a_server_from_an_unknown_ca_is_refused_by_default() {
    let server = MockServer::start_tls(Certificate::Server);
    assert!(server.base_url().starts_with("https://"));
    let error = client(&server, TrustRoots::BuiltIn).get_video("vid_completed").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Connection, "{error}");
    assert!(error.message().contains("TLS") || error.message().contains("certificate"), "{error}");
    assert!(server.requests().is_empty(), "nothing was sent over the refused connection");
}

#[test]
fn the_configured_ca_is_trusted() {
    let server = MockServer::start_tls(Certificate::Server);
    let video = client(&server, TrustRoots::PemFile(test_ca_file())).get_video("vid_completed").unwrap();
    assert_eq!(video.status, VideoStatus::Completed);
    assert_eq!(server.requests()[0].header("authorization"), Some("Bearer test-key"));
}

#[test]
fn a_certificate_for_another_name_is_refused() {
    let server = MockServer::start_tls(Certificate::WrongHost);
    let error = client(&server, TrustRoots::PemFile(test_ca_file())).get_video("vid_completed").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Connection, "{error}");
    assert!(server.requests().is_empty());
}

#[test]
fn https_never_redirects_to_http() {
    let server = MockServer::start_tls(Certificate::Server);
    let error = client(&server, TrustRoots::PemFile(test_ca_file())).get_video("redirect-to-http").unwrap_err();
    assert_eq!((error.kind(), error.http_status()), (ErrorKind::Http, Some(302)), "{error}");
    assert!(error.message().contains("from https to http"), "{error}");
    assert!(server.requests().iter().all(|r| !r.other_origin), "the http target was never asked");
}
