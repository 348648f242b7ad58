//! End to end: the real app, in a real window under Xvfb, driven over WebDriver.
//!
//! Needs the app built with the bundled front end (`--features custom-protocol`, after
//! `npm run build` in ui/), tauri-driver and WebKitWebDriver; `scripts/test` provides all.

#[path = "e2e/harness.rs"]
mod harness;

use fantoccini::{Client, Locator};
use harness::{Harness, eventually};

async fn text_of(client: &Client, testid: &str) -> String {
    let css = format!("[data-testid={testid}]");
    client
        .wait()
        .at_most(harness::WAIT)
        .for_element(Locator::Css(&css))
        .await
        .unwrap_or_else(|e| panic!("no element {css}: {e}"))
        .text()
        .await
        .unwrap()
}

async fn html_theme(client: &Client) -> Option<String> {
    client
        .execute(
            "return document.documentElement.dataset.theme || null",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
}

/// Relative luminance (0 dark … 1 light) of the page background.
async fn background_luminance(client: &Client) -> f64 {
    let v = client
        .execute(
            "const c = getComputedStyle(document.body).backgroundColor.match(/[0-9.]+/g).map(Number); return (0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]) / 255;",
            vec![],
        )
        .await
        .unwrap();
    v.as_f64().unwrap()
}

async fn click(client: &Client, testid: &str) {
    client
        .wait()
        .at_most(harness::WAIT)
        .for_element(Locator::Css(&format!("[data-testid={testid}]")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn app_info_theme_switch_and_persistence_across_restart() {
    if !cfg!(feature = "custom-protocol") {
        panic!(
            "build the e2e test with `--features custom-protocol` (and ui/dist built), or the app loads the Vite dev server: run scripts/test"
        );
    }
    let h = Harness::start("e2e");

    // First start: the frame, the empty state, then About through the settings screen.
    let app = h.launch().await;
    assert_eq!(app.title().await.unwrap(), "Proxdeck");
    for id in [
        "tree-pane",
        "task-bar",
        "global-search",
        "empty-add-connection",
        "empty-open-demo",
    ] {
        app.find(Locator::Css(&format!("[data-testid={id}]")))
            .await
            .unwrap_or_else(|e| panic!("the frame lacks {id}: {e}"));
    }
    let first_theme = eventually("a resolved theme on <html>", || html_theme(&app)).await;
    assert!(
        first_theme == "light" || first_theme == "dark",
        "{first_theme}"
    );
    h.screenshot(&app, "01-first-start").await;

    println!("step: About through the settings screen");
    click(&app, "open-settings").await;
    let data_dir = h.data_dir.path().display().to_string();
    assert_eq!(
        text_of(&app, "about-version").await,
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(text_of(&app, "about-data-dir").await, data_dir);
    assert_eq!(
        text_of(&app, "about-log-dir").await,
        h.data_dir.path().join("logs").display().to_string()
    );
    assert_eq!(
        text_of(&app, "about-database-path").await,
        h.data_dir
            .path()
            .join("proxdeck.sqlite3")
            .display()
            .to_string()
    );
    assert_eq!(
        text_of(&app, "about-schema-version").await,
        proxdeck_store::LATEST_SCHEMA_VERSION.to_string()
    );
    assert_eq!(text_of(&app, "about-os").await, std::env::consts::OS);

    // Switch to dark, then to light: both must repaint at once.
    click(&app, "theme-dark").await;
    eventually("dark theme applied", || async {
        (html_theme(&app).await.as_deref() == Some("dark")).then_some(())
    })
    .await;
    let dark = background_luminance(&app).await;
    click(&app, "theme-light").await;
    eventually("light theme applied", || async {
        (html_theme(&app).await.as_deref() == Some("light")).then_some(())
    })
    .await;
    let light = background_luminance(&app).await;
    assert!(
        dark < 0.3 && light > 0.7,
        "backgrounds: dark {dark}, light {light}"
    );
    click(&app, "theme-dark").await;
    eventually("dark theme applied again", || async {
        (html_theme(&app).await.as_deref() == Some("dark")).then_some(())
    })
    .await;
    h.screenshot(&app, "02-settings-dark").await;
    // The UI keeps the last theme in localStorage only to paint the first frame; clear it
    // so that what comes back after the restart can only come from the store.
    app.execute("localStorage.clear()", vec![]).await.unwrap();
    app.close().await.unwrap();
    // Give the process time to exit before the next one opens the same database.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;

    // What the UI did went through core into the store, and into the audit log.
    {
        let store = proxdeck_store::Store::open_in(h.data_dir.path()).unwrap();
        assert_eq!(
            store.setting("theme").unwrap(),
            Some(serde_json::json!("dark"))
        );
        let audit = store.audit_list(None, 10).unwrap();
        assert_eq!(audit.len(), 3, "three theme changes were made: {audit:?}");
        assert!(audit.iter().all(|r| r.entry.action == "settings.set"));
        assert!(store.verify_audit_chain().unwrap().is_intact());
    }
    let logs: Vec<_> = std::fs::read_dir(h.data_dir.path().join("logs"))
        .expect("the app writes a log directory")
        .map(|e| e.unwrap().path())
        .collect();
    let log = logs
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect::<String>();
    assert!(
        log.contains("Proxdeck starting"),
        "log files {logs:?}: {log}"
    );

    // Restart: the theme comes back without touching anything.
    println!("step: restart");
    let app = h.launch().await;
    eventually("persisted dark theme after restart", || async {
        (html_theme(&app).await.as_deref() == Some("dark")).then_some(())
    })
    .await;
    assert!(background_luminance(&app).await < 0.3);
    h.screenshot(&app, "03-restart-dark").await;
    println!("step: settings after restart");
    click(&app, "open-settings").await;
    let checked = app
        .wait()
        .at_most(harness::WAIT)
        .for_element(Locator::Css("[data-testid=theme-dark]"))
        .await
        .unwrap();
    let state = (
        checked.attr("aria-checked").await.unwrap(),
        checked.attr("data-state").await.unwrap(),
    );
    assert!(
        state.0.as_deref() == Some("true") || matches!(state.1.as_deref(), Some("on" | "checked")),
        "the dark choice is shown as selected: {state:?}"
    );

    // The demo datacenter from the empty state: the simulator starts inside the app and
    // its clusters fill the tree.
    println!("step: open the demo datacenter");
    app.goto_home().await;
    click(&app, "empty-open-demo").await;
    for id in [
        "tree-connection-prod",
        "tree-connection-lab",
        "tree-connection-pbs-backup",
        "tree-node-prod-pve1",
        "tree-node-lab-lab1",
    ] {
        app.wait()
            .at_most(harness::WAIT)
            .for_element(Locator::Css(&format!("[data-testid={id}]")))
            .await
            .unwrap_or_else(|e| panic!("the demo tree lacks {id}: {e}"));
    }
    let guests = eventually("guests under prod's nodes", || async {
        let found = app
            .find_all(Locator::Css("[data-testid^=tree-guest-prod-]"))
            .await
            .ok()?;
        (found.len() >= 10).then_some(found)
    })
    .await;
    let mut statuses = std::collections::BTreeSet::new();
    for g in &guests {
        if let Some(s) = g.attr("data-status").await.unwrap() {
            statuses.insert(s);
        }
    }
    assert!(
        statuses.contains("running") && statuses.contains("stopped"),
        "{statuses:?}"
    );
    h.screenshot(&app, "04-demo-datacenter").await;
    click(&app, "demo-close").await;
    app.wait()
        .at_most(harness::WAIT)
        .for_element(Locator::Css("[data-testid=empty-open-demo]"))
        .await
        .expect("closing the demo brings the empty state back");

    println!("step: close");
    app.close().await.unwrap();
}

trait Home {
    async fn goto_home(&self);
}

impl Home for Client {
    /// Back to the datacenter view (the app routes with the URL hash).
    async fn goto_home(&self) {
        self.execute("window.location.hash = '#/'", vec![])
            .await
            .unwrap();
    }
}
