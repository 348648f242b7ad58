//! `/cluster/resources` of a 10,000-guest cluster, and a small GET, against the
//! `proxdeck-sim` binary on loopback with two client threads: latency p50/p99 and
//! requests per second. Prints numbers; asserts nothing about time.
//!
//! Run: `cargo bench -p proxdeck-sim --bench resources` (SIM_BENCH_SECS to change the
//! measuring time per case, default 5).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn main() {
    let secs: u64 = std::env::var("SIM_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let mut child = Command::new(env!("CARGO_BIN_EXE_proxdeck-sim"))
        .args(["--scenario", "generate:1x20x500:7"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("proxdeck-sim starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let info: serde_json::Value = serde_json::from_str(&line).expect("the JSON line");
    let listener = &info["listeners"][0];
    let name = listener["name"].as_str().unwrap().to_owned();
    let base = format!("https://127.0.0.1:{}/api2/json", listener["port"]);
    let token = format!(
        "PVEAPIToken={}",
        info["credentials"][&name]["token"].as_str().unwrap()
    );

    println!(
        "proxdeck-sim bench: 1 cluster, 20 nodes, 10,000 guests; 2 client threads; {secs} s per case"
    );
    println!(
        "machine: {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    for (case, path, clients) in [
        ("cluster/resources (10k guests)", "/cluster/resources", 2),
        ("cluster/resources (10k guests)", "/cluster/resources", 1),
        ("version (small GET)", "/version", 2),
    ] {
        let url = Arc::new(format!("{base}{path}"));
        let token = Arc::new(token.clone());
        let deadline = Instant::now() + Duration::from_secs(secs);
        let threads: Vec<_> = (0..clients)
            .map(|_| {
                let (url, token) = (Arc::clone(&url), Arc::clone(&token));
                std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    rt.block_on(async move {
                        let client = reqwest::Client::builder()
                            .tls_danger_accept_invalid_certs(true)
                            .build()
                            .unwrap();
                        let mut lat = Vec::new();
                        let mut bytes = 0usize;
                        while Instant::now() < deadline {
                            let t = Instant::now();
                            let body = client
                                .get(url.as_str())
                                .header("authorization", token.as_str())
                                .send()
                                .await
                                .unwrap()
                                .bytes()
                                .await
                                .unwrap();
                            lat.push(t.elapsed());
                            bytes = body.len();
                        }
                        (lat, bytes)
                    })
                })
            })
            .collect();
        let mut all = Vec::new();
        let mut size = 0;
        for t in threads {
            let (lat, bytes) = t.join().unwrap();
            all.extend(lat);
            size = bytes;
        }
        all.sort();
        let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)];
        println!(
            "{case:32} clients {clients}  requests {:6}  p50 {:8.2} ms  p99 {:8.2} ms  {:8.0} req/s  body {} KiB",
            all.len(),
            pct(0.50).as_secs_f64() * 1e3,
            pct(0.99).as_secs_f64() * 1e3,
            all.len() as f64 / secs as f64,
            size / 1024
        );
    }
    let _ = child.kill();
    let _ = child.wait();
}
