//! `tv-mock [--port N] [--api-key KEY]`: serves the mock of Together's video API on
//! 127.0.0.1 until killed, after printing its base URL (`http://127.0.0.1:PORT/v2`)
//! as the first line of standard output.

use std::io::Write;

fn main() {
    let mut port = 0u16;
    let mut api_key = tv_mock::DEFAULT_API_KEY.to_owned();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().unwrap_or_else(|| usage(&format!("{name} needs a value")));
        match arg.as_str() {
            "--port" => port = value("--port").parse().unwrap_or_else(|_| usage("--port takes a number")),
            "--api-key" => api_key = value("--api-key"),
            _ => usage(&format!("unknown argument {arg}")),
        }
    }
    let server = tv_mock::MockServer::start_with(&api_key, port).unwrap_or_else(|e| {
        eprintln!("tv-mock: cannot listen on 127.0.0.1:{port}: {e}");
        std::process::exit(1)
    });
    println!("{}", server.base_url());
    let _ = std::io::stdout().flush();
    server.wait()
}

fn usage(problem: &str) -> ! {
    eprintln!("tv-mock: {problem}\nusage: tv-mock [--port N] [--api-key KEY]");
    std::process::exit(2)
}
