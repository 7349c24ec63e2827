//! Replays the committed fuzz corpus (fuzz/corpus/) through the fuzz targets' checks on
//! stable Rust, so every input the fuzzer ever kept stays tested in `make test`.

#[path = "../fuzz/checks.rs"]
mod checks;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
    let mut inputs = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        check(&std::fs::read(&path).unwrap());
        inputs += 1;
    }
    assert!(inputs > 0, "no corpus in {}", dir.display());
}

#[test]
fn decode_corpus() {
    replay("decode", checks::decode);
}

#[test]
fn url_corpus() {
    replay("url", checks::url);
}
