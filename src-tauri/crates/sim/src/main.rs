//! `proxdeck-sim --scenario FILE|demo`: serves a simulated datacenter until killed.
//!
//! Prints one JSON line on stdout with every listener (name, host, port, certificate
//! fingerprint) and working credentials, so a harness in any language can connect.

use proxdeck_sim::{Scenario, Sim, SimOptions};

const USAGE: &str = "usage: proxdeck-sim --scenario FILE.toml|FILE.json|demo|generate:CLUSTERSxNODESxGUESTS[:SEED] [--task-ms N] [--unauthorized-delay-ms N]";

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("proxdeck-sim: {e}");
        std::process::exit(2);
    }
}

async fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mut scenario_arg = None;
    let mut options = SimOptions::default();
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value\n{USAGE}"));
        match a.as_str() {
            "--scenario" => scenario_arg = Some(value("--scenario")?),
            "--task-ms" => {
                let v = value("--task-ms")?;
                options.task_duration = std::time::Duration::from_millis(
                    v.parse()
                        .map_err(|_| format!("--task-ms wants milliseconds, got {v}"))?,
                );
            }
            "--unauthorized-delay-ms" => {
                let v = value("--unauthorized-delay-ms")?;
                options.unauthorized_delay =
                    std::time::Duration::from_millis(v.parse().map_err(|_| {
                        format!("--unauthorized-delay-ms wants milliseconds, got {v}")
                    })?);
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    let scenario = match scenario_arg.as_deref() {
        None => return Err(USAGE.to_owned()),
        Some("demo") => Scenario::demo(),
        Some(spec) if spec.starts_with("generate:") => generated(&spec["generate:".len()..])?,
        Some(path) => Scenario::load(std::path::Path::new(path)).map_err(|e| e.to_string())?,
    };
    let sim = Sim::start(scenario, options).await?;
    let credentials: Vec<_> = sim
        .clusters
        .iter()
        .map(|c| (c.sim.name.clone(), sim.credentials(&c.sim.name)))
        .chain(
            sim.pbs
                .iter()
                .map(|p| (p.sim.name.clone(), sim.pbs_credentials(&p.sim.name))),
        )
        .collect();
    let line = serde_json::json!({
        "listeners": sim.listeners(),
        "credentials": credentials.into_iter().collect::<std::collections::BTreeMap<_, _>>(),
        "control": { "header": proxdeck_sim::control::HEADER, "secret": sim.control_secret, "prefix": proxdeck_sim::control::PREFIX },
    });
    println!("{line}");
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| format!("cannot wait for a signal: {e}"))?;
    Ok(())
}

/// `CxNxK[:SEED]`: C clusters of N nodes with K guests per node.
fn generated(spec: &str) -> Result<Scenario, String> {
    let bad = || format!("--scenario generate:CLUSTERSxNODESxGUESTS[:SEED], got generate:{spec}");
    let (sizes, seed) = spec.split_once(':').unwrap_or((spec, "1"));
    let n: Vec<usize> = sizes
        .split('x')
        .map(|p| p.parse().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let [clusters, nodes, guests] = n[..] else {
        return Err(bad());
    };
    let seed = seed.parse().map_err(|_| bad())?;
    Ok(Scenario::generate(clusters, nodes, guests, seed))
}
