//! The core against real services: a private Secret Service (gnome-keyring on its own
//! session bus) and `proxdeck-sim` on loopback.
//!
//! This binary is its own harness (`harness = false`): the keyring session must be set up
//! before any thread starts, because it points this process's environment at the private
//! bus. Cases come from the modules below; each is an async block run on one runtime, and a
//! panicking case fails without stopping the others. Arguments filter cases by substring.

#[path = "live/common.rs"]
mod common;
#[path = "live/connections.rs"]
mod connections;
#[path = "live/guests.rs"]
mod guests;
#[path = "live/health.rs"]
mod health;
#[path = "live/inventory.rs"]
mod inventory;
#[path = "live/tokens.rs"]
mod tokens;

use proxdeck_secrets::testing::KeyringSession;

fn main() {
    let session = KeyringSession::start();
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let cases = connections::CASES
        .iter()
        .chain(tokens::CASES)
        .chain(health::CASES)
        .chain(inventory::CASES)
        .chain(guests::CASES);
    let mut passed = 0;
    let mut failed = Vec::new();
    for (name, case) in cases {
        if !filter.is_empty() && !filter.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        let started = std::time::Instant::now();
        let outcome = runtime.block_on(async { tokio::spawn(case()).await });
        match outcome {
            Ok(()) => {
                println!(
                    "test {name} ... ok ({:.1} s)",
                    started.elapsed().as_secs_f64()
                );
                passed += 1;
            }
            Err(e) => {
                println!("test {name} ... FAILED ({e})");
                failed.push(*name);
            }
        }
    }
    drop(runtime);
    drop(session);
    println!(
        "\ntest result: {}. {passed} passed; {} failed",
        if failed.is_empty() { "ok" } else { "FAILED" },
        failed.len()
    );
    if !failed.is_empty() {
        for f in &failed {
            println!("    {f}");
        }
        std::process::exit(101);
    }
}
