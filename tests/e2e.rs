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

/// Clicks an element once it exists and takes the click: a dialog still fading in, or a
/// layer still closing over it, makes WebKit answer "not interactable" for a moment.
async fn click(client: &Client, testid: &str) {
    let css = format!("[data-testid={testid}]");
    eventually(&format!("{testid} to take a click"), || async {
        let el = client.find(Locator::Css(&css)).await.ok()?;
        match el.click().await {
            Ok(_) => Some(()),
            Err(e) => {
                println!("click {testid}: {e}; retrying");
                None
            }
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn app_info_theme_switch_and_persistence_across_restart() {
    if !cfg!(feature = "custom-protocol") {
        panic!(
            "build the e2e test with `--features custom-protocol` (and ui/dist built), or the app loads the Vite dev server: run scripts/test"
        );
    }
    let _serial = SERIAL.lock().await;
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
    // The tree is virtualized: only the rows in (and near) its scroll box are in the page, so
    // the later clusters are looked for after scrolling to the end.
    let scroll_tree = |to: &'static str| {
        let app = app.clone();
        async move {
            app.execute(
                &format!("const el = document.querySelector('[data-testid=resource-tree-scroller]'); if (!el) return; el.scrollTop = {to}; el.dispatchEvent(new Event('scroll'));"),
                vec![],
            )
            .await
            .unwrap();
        }
    };
    for (ids, to) in [
        (&["tree-connection-prod", "tree-node-prod-pve1"][..], "0"),
        (
            &[
                "tree-connection-lab",
                "tree-connection-pbs-backup",
                "tree-node-lab-lab1",
            ][..],
            "el.scrollHeight",
        ),
    ] {
        scroll_tree(to).await;
        for id in ids {
            app.wait()
                .at_most(harness::WAIT)
                .for_element(Locator::Css(&format!("[data-testid={id}]")))
                .await
                .unwrap_or_else(|e| panic!("the demo tree lacks {id}: {e}"));
        }
    }
    scroll_tree("0").await;
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

/// Only one app window at a time: the tests share the machine's two cores and a display.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Types `text` into a field once it takes typing, and checks the field holds it.
async fn fill(client: &Client, testid: &str, text: &str) {
    let css = format!("[data-testid={testid}]");
    eventually(&format!("{testid} to hold {text:?}"), || async {
        let el = client.find(Locator::Css(&css)).await.ok()?;
        if let Err(e) = el.clear().await {
            println!("fill {testid}: {e}; retrying");
            return None;
        }
        if let Err(e) = el.send_keys(text).await {
            println!("fill {testid}: {e}; retrying");
            return None;
        }
        let value = el.prop("value").await.ok()??;
        (value == text).then_some(())
    })
    .await;
}

async fn attr_of(client: &Client, testid: &str, attr: &str) -> Option<String> {
    client
        .find(Locator::Css(&format!("[data-testid={testid}]")))
        .await
        .ok()?
        .attr(attr)
        .await
        .ok()?
}

async fn wait_health(client: &Client, name: &str, state: &str) {
    let id = format!("health-{name}");
    eventually(&format!("{name} to be {state}"), || async {
        (attr_of(client, &id, "data-state").await.as_deref() == Some(state)).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn add_a_connection_trust_its_certificate_watch_its_health_and_keep_it_across_restart() {
    if !cfg!(feature = "custom-protocol") {
        panic!("build the e2e test with `--features custom-protocol`: run scripts/test");
    }
    let _serial = SERIAL.lock().await;
    let sim = proxdeck_sim::Sim::start(
        proxdeck_sim::Scenario::demo(),
        proxdeck_sim::SimOptions::default(),
    )
    .await
    .unwrap();
    let cluster = &sim.clusters[0];
    let token = sim.credentials(&cluster.sim.name).token.unwrap();
    let (_, secret) = token.split_once('=').unwrap();
    let h = Harness::start("e2e-connections");
    // Check health every 5 s (the smallest setting) so an outage shows within the test.
    {
        let store = proxdeck_store::Store::open_in(h.data_dir.path()).unwrap();
        store
            .set_setting("healthIntervalSecs", &serde_json::json!(5))
            .unwrap();
    }

    let app = h.launch().await;
    println!("step: the add-connection form");
    click(&app, "empty-add-connection").await;
    click(&app, "conn-kind-pve").await;
    fill(&app, "conn-name", "e2e-prod").await;
    fill(&app, "conn-urls", &cluster.base_url()).await;
    click(&app, "conn-access-token").await;
    // The whole token pasted into the id field: Proxdeck splits it.
    fill(&app, "conn-token-id", &token).await;
    click(&app, "conn-test").await;

    println!("step: the certificate dialog");
    let shown = text_of(&app, "cert-fingerprint").await;
    let normalize = |s: &str| {
        s.chars()
            .filter(char::is_ascii_hexdigit)
            .collect::<String>()
            .to_ascii_uppercase()
    };
    assert_eq!(
        normalize(&shown),
        normalize(&cluster.fingerprint()),
        "the dialog shows the simulator's certificate"
    );
    h.screenshot(&app, "01-certificate-dialog").await;
    click(&app, "cert-trust").await;
    let report = text_of(&app, "test-report").await;
    assert!(
        report.contains("9."),
        "the report names the PVE version: {report}"
    );
    assert!(
        report.contains("Sys.Audit"),
        "the report lists privileges: {report}"
    );
    h.screenshot(&app, "02-test-report").await;
    // The button is disabled while the test's last step settles; a click then would be lost.
    click_enabled(&app, "conn-save").await;
    eventually("the connection dialog closed after saving", || async {
        (!exists(&app, "[data-testid=conn-save]").await).then_some(())
    })
    .await;

    println!("step: health");
    app.wait()
        .at_most(harness::WAIT)
        .for_element(Locator::Css("[data-testid=tree-connection-e2e-prod]"))
        .await
        .expect("the new connection is in the tree");
    wait_health(&app, "e2e-prod", "apiOnly").await;
    h.screenshot(&app, "03-connected").await;

    // The secret is in the keychain and nowhere in the data directory.
    let db = std::fs::read(h.data_dir.path().join("proxdeck.sqlite3")).unwrap();
    let wal = std::fs::read(h.data_dir.path().join("proxdeck.sqlite3-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "the token secret is in the database"
        );
    }
    let id = {
        let store = proxdeck_store::Store::open_in(h.data_dir.path()).unwrap();
        let audit = store.audit_list(None, 50).unwrap();
        let added = audit
            .iter()
            .find(|r| r.entry.action == "connection.add")
            .expect("an audit row for the new connection");
        assert!(audit.iter().any(|r| r.entry.action == "certificate.pin"));
        assert!(!format!("{audit:?}").contains(secret));
        added.entry.details["id"].as_str().unwrap().to_owned()
    };
    assert_eq!(
        h.keychain_lookup(&format!("{id}:token-secret")).as_deref(),
        Some(secret),
        "the token secret is in the OS keychain under the connection"
    );

    println!("step: an outage and the recovery, with desktop notifications");
    cluster
        .faults()
        .add(proxdeck_sim::FaultRule::new("", proxdeck_sim::Fault::Reset));
    wait_health(&app, "e2e-prod", "disconnected").await;
    h.screenshot(&app, "04-disconnected").await;
    cluster.faults().clear();
    wait_health(&app, "e2e-prod", "apiOnly").await;
    let notes = eventually("both notifications", || async {
        let n = h.notifications();
        (n.contains("e2e-prod is unreachable") && n.contains("e2e-prod is reachable again"))
            .then_some(n)
    })
    .await;
    assert!(notes.contains("unreachable since"), "{notes}");
    app.close().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;

    println!("step: restart");
    let app = h.launch().await;
    app.wait()
        .at_most(harness::WAIT)
        .for_element(Locator::Css("[data-testid=tree-connection-e2e-prod]"))
        .await
        .expect("the connection is still there after a restart");
    // Its client logs in again with the secret from the keychain.
    wait_health(&app, "e2e-prod", "apiOnly").await;
    let node = format!(
        "tree-node-e2e-prod-{}",
        cluster.sim.state().spec.nodes[0].name
    );
    app.wait()
        .at_most(harness::WAIT)
        .for_element(Locator::Css(&format!("[data-testid={node}]")))
        .await
        .unwrap_or_else(|e| panic!("the tree shows the cluster's nodes ({node}): {e}"));
    h.screenshot(&app, "05-after-restart").await;
    app.close().await.unwrap();
}

/// Opens a tree row's context menu as a right-click does (the `contextmenu` event at its centre).
async fn context_menu(client: &Client, testid: &str) {
    let css = format!("[data-testid=\"{testid}\"]");
    client
        .wait()
        .at_most(harness::WAIT)
        .for_element(Locator::Css(&css))
        .await
        .unwrap_or_else(|e| panic!("no element {css}: {e}"));
    client
        .execute(
            "const el = document.querySelector(arguments[0]); const r = el.getBoundingClientRect();
             el.dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, cancelable: true, button: 2,
               clientX: r.left + r.width / 2, clientY: r.top + r.height / 2 }));",
            vec![serde_json::json!(css)],
        )
        .await
        .unwrap();
}

async fn exists(client: &Client, css: &str) -> bool {
    client.find(Locator::Css(css)).await.is_ok()
}

#[tokio::test(flavor = "multi_thread")]
async fn find_a_demo_guest_see_its_charts_and_see_an_outage_marked_stale_then_cleared() {
    if !cfg!(feature = "custom-protocol") {
        panic!("build the e2e test with `--features custom-protocol`: run scripts/test");
    }
    let _serial = SERIAL.lock().await;
    let h = Harness::start("e2e-inventory");
    let app = h.launch().await;

    println!("step: open the demo datacenter");
    click(&app, "empty-open-demo").await;
    eventually("prod's guests in the tree", || async {
        exists(&app, "[data-testid=tree-guest-prod-180]")
            .await
            .then_some(())
    })
    .await;

    println!("step: find a guest by typing in the search box");
    fill(&app, "global-search", "win-ad").await;
    let result = "[data-testid=search-result-guest-prod-180]";
    eventually("win-ad1 among the search results", || async {
        exists(&app, result).await.then_some(())
    })
    .await;
    let listed = app
        .find_all(Locator::Css("[data-testid=search-results] [role=option]"))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1, "only win-ad1 matches \"win-ad\"");
    h.screenshot(&app, "01-search").await;
    click(&app, "search-result-guest-prod-180").await;

    println!("step: its summary with the charts");
    let page = "[data-testid=summary-guest]";
    eventually("the guest summary of win-ad1", || async {
        let text = app.find(Locator::Css(page)).await.ok()?.text().await.ok()?;
        (text.contains("Virtual machine 180 (win-ad1)") && text.contains("Configuration"))
            .then_some(())
    })
    .await;
    // uPlot draws each chart on a canvas of real size.
    let drawn = eventually("charts drawn on canvases", || async {
        let sizes = app
            .execute(
                "return [...document.querySelectorAll('[data-testid=rrd-chart] canvas')].map(c => c.width * c.height)",
                vec![],
            )
            .await
            .ok()?;
        let sizes: Vec<u64> = serde_json::from_value(sizes).ok()?;
        (sizes.len() >= 2 && sizes.iter().all(|s| *s > 10_000)).then_some(sizes.len())
    })
    .await;
    println!("{drawn} charts drawn");
    assert!(!exists(&app, "[data-testid=offline-banner]").await);
    app.execute(
        "document.querySelector('[data-testid=rrd-chart]').scrollIntoView({ block: 'end' })",
        vec![],
    )
    .await
    .unwrap();
    h.screenshot(&app, "02-guest-summary-charts").await;
    app.execute(
        "document.querySelector('[data-testid=summary-guest]').scrollIntoView({ block: 'start' })",
        vec![],
    )
    .await
    .unwrap();

    println!("step: switch the demo cluster off: its part of the tree goes stale");
    context_menu(&app, "tree-connection-prod").await;
    click(&app, "conn-menu-outage").await;
    eventually("prod marked stale in the tree", || async {
        (attr_of(&app, "tree-connection-prod", "data-stale")
            .await
            .as_deref()
            == Some("true"))
        .then_some(())
    })
    .await;
    wait_health(&app, "prod", "disconnected").await;
    let stale = text_of(&app, "tree-stale-prod").await;
    assert!(stale.contains("last seen"), "{stale}");
    assert_eq!(
        attr_of(&app, "tree-guest-prod-180", "data-stale")
            .await
            .as_deref(),
        Some("true"),
        "the guests under it are greyed too"
    );
    // (The other cluster staying fresh is checked by the core's outage test; its rows are
    // below the fold of the virtualized tree here.)
    // The summary keeps what it showed, under a banner that says why actions are disabled.
    let banner = text_of(&app, "offline-banner").await;
    assert!(
        banner.contains("prod is not answering") && banner.contains("Actions on it are disabled"),
        "{banner}"
    );
    let text = app
        .find(Locator::Css(page))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("Configuration"), "{text}");
    // Its actions are disabled, each saying why.
    let reason = eventually("the shutdown button disabled with the reason", || async {
        attr_of(&app, "guest-action-shutdown", "data-disabled-reason").await
    })
    .await;
    assert!(
        reason.contains("prod is not answering") && reason.contains("actions are disabled"),
        "{reason}"
    );
    let notified = eventually("a notification that prod is unreachable", || async {
        let log = h.notifications();
        log.contains("prod is unreachable").then_some(log)
    })
    .await;
    assert!(!notified.contains("secret"), "{notified}");
    h.screenshot(&app, "03-outage-stale").await;

    println!("step: switch it on again: the marking clears");
    context_menu(&app, "tree-connection-prod").await;
    let item = text_of(&app, "conn-menu-outage").await;
    assert!(item.contains("End the outage"), "{item}");
    click(&app, "conn-menu-outage").await;
    eventually("prod fresh again", || async {
        (attr_of(&app, "tree-connection-prod", "data-stale")
            .await
            .as_deref()
            == Some("false"))
        .then_some(())
    })
    .await;
    wait_health(&app, "prod", "apiOnly").await;
    eventually("the banner gone", || async {
        (!exists(&app, "[data-testid=offline-banner]").await).then_some(())
    })
    .await;
    assert!(!exists(&app, "[data-testid=tree-stale-prod]").await);
    eventually("a notification that prod is back", || async {
        h.notifications()
            .contains("prod is reachable again")
            .then_some(())
    })
    .await;
    h.screenshot(&app, "04-outage-over").await;

    println!("step: reboot it from its toolbar and watch the task end");
    eventually("the reboot button enabled again", || async {
        (attr_of(&app, "guest-action-reboot", "data-disabled-reason")
            .await
            .is_none()
            && exists(&app, "[data-testid=guest-action-reboot]:not([disabled])").await)
            .then_some(())
    })
    .await;
    click(&app, "guest-action-reboot").await;
    let confirm = text_of(&app, "guest-action-confirm").await;
    assert!(confirm.contains("Reboot VM 180 (win-ad1)?"), "{confirm}");
    click(&app, "guest-action-confirm-ok").await;
    let started = text_of(&app, "guest-action-started").await;
    assert!(
        started.contains("VM 180 - Reboot started on pve1"),
        "{started}"
    );
    let row = eventually("the reboot in the task bar, ended OK", || async {
        // textContent: WebDriver's visible text of a table row is empty in WebKitWebDriver.
        let rows = app
            .execute(
                "return [...document.querySelectorAll('[data-testid^=task-row-]')].map(r => r.textContent)",
                vec![],
            )
            .await
            .ok()?;
        let rows: Vec<String> = serde_json::from_value(rows).ok()?;
        rows.into_iter()
            .find(|t| t.contains("VM 180 - Reboot") && t.contains("OK"))
    })
    .await;
    println!("task bar: {row}");
    h.screenshot(&app, "05-reboot-task").await;
    app.close().await.unwrap();

    // The audit log has the action and the task's end.
    let store = proxdeck_store::Store::open_in(h.data_dir.path()).unwrap();
    let audit = store.audit_list(None, 50).unwrap();
    assert!(
        audit
            .iter()
            .any(|r| r.entry.action == "guest.reboot" && r.entry.target == "prod/qemu/180"),
        "{audit:?}"
    );
    assert!(
        audit
            .iter()
            .any(|r| r.entry.action == "task.end" && r.entry.outcome == "OK"),
        "{audit:?}"
    );
}

/// The text of every task-bar row (textContent: WebKitWebDriver gives a table row's visible
/// text as empty).
async fn task_rows(client: &Client) -> Vec<String> {
    let rows = client
        .execute(
            "return [...document.querySelectorAll('[data-testid^=task-row-]')].map(r => r.textContent)",
            vec![],
        )
        .await
        .unwrap_or_default();
    serde_json::from_value(rows).unwrap_or_default()
}

/// Waits until the task bar shows a task whose text has `what`, ended with `status`.
async fn task_ended(client: &Client, what: &str, status: &str) -> String {
    eventually(
        &format!("\"{what}\" ended {status} in the task bar"),
        || async {
            task_rows(client)
                .await
                .into_iter()
                .find(|t| t.contains(what) && t.contains(status) && !t.contains("running"))
        },
    )
    .await
}

/// Opens a guest's page through the search box.
async fn open_guest(client: &Client, query: &str, vmid: u32) {
    fill(client, "global-search", query).await;
    let result = format!("[data-testid=search-result-guest-prod-{vmid}]");
    eventually(&format!("{query} among the search results"), || async {
        exists(client, &result).await.then_some(())
    })
    .await;
    click(client, &format!("search-result-guest-prod-{vmid}")).await;
    eventually(&format!("the page of guest {vmid}"), || async {
        let text = client
            .find(Locator::Css("[data-testid=summary-guest]"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        text.contains(&format!(" {vmid} (")).then_some(())
    })
    .await;
}

/// Clicks a button once it is enabled.
async fn click_enabled(client: &Client, testid: &str) {
    let css = format!("[data-testid={testid}]:not([disabled]):not([data-disabled])");
    eventually(&format!("{testid} enabled"), || async {
        exists(client, &css).await.then_some(())
    })
    .await;
    click(client, testid).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn clone_the_template_start_it_watch_its_log_edit_memory_snapshot_roll_back_and_remove_it() {
    if !cfg!(feature = "custom-protocol") {
        panic!("build the e2e test with `--features custom-protocol`: run scripts/test");
    }
    let _serial = SERIAL.lock().await;
    let h = Harness::start("e2e-lifecycle");
    let app = h.launch().await;

    println!("step: open the demo and its template 9000");
    click(&app, "empty-open-demo").await;
    open_guest(&app, "debian-12-cloud", 9000).await;

    println!("step: clone it (linked, the next free VMID)");
    click_enabled(&app, "guest-action-clone-primary").await;
    let newid_field = app
        .wait()
        .at_most(harness::WAIT)
        .for_element(Locator::Css("[data-testid=clone-newid]"))
        .await
        .unwrap();
    let newid: u32 = eventually("the proposed VMID", || async {
        newid_field
            .prop("value")
            .await
            .ok()
            .flatten()
            .and_then(|v| v.parse().ok())
    })
    .await;
    println!("clone VMID {newid}");
    fill(&app, "clone-name", "e2e-web").await;
    h.screenshot(&app, "01-clone-dialog").await;
    click_enabled(&app, "clone-submit").await;
    task_ended(&app, "VM 9000 - Clone", "OK").await;

    println!("step: the clone is in the tree; start it");
    open_guest(&app, "e2e-web", newid).await;
    click_enabled(&app, "guest-action-start").await;

    println!("step: watch its task log stream");
    let start = format!("VM {newid} - Start");
    eventually("the start task in the task bar", || async {
        task_rows(&app)
            .await
            .into_iter()
            .find(|t| t.contains(&start))
    })
    .await;
    app.execute(
        "const row = [...document.querySelectorAll('[data-testid^=task-row-]')].find(r => r.textContent.includes(arguments[0]));
         row.dispatchEvent(new MouseEvent('dblclick', { bubbles: true }));",
        vec![serde_json::json!(start)],
    )
    .await
    .unwrap();
    let lines = eventually("the log streamed to its end", || async {
        let lines = app
            .execute(
                "return [...document.querySelectorAll('[data-testid=task-log-line]')].map(l => l.textContent)",
                vec![],
            )
            .await
            .ok()?;
        let lines: Vec<String> = serde_json::from_value(lines).ok()?;
        lines.iter().any(|l| l.starts_with("TASK OK")).then_some(lines)
    })
    .await;
    println!("log: {lines:?}");
    assert!(lines.len() >= 2, "{lines:?}");
    let status = eventually("the log window's status says OK", || async {
        let t = app
            .execute(
                "return document.querySelector('[data-testid=task-log-status]').textContent",
                vec![],
            )
            .await
            .ok()?;
        t.as_str().filter(|t| t.contains("OK")).map(str::to_owned)
    })
    .await;
    println!("log status: {status}");
    h.screenshot(&app, "02-task-log").await;
    app.execute(
        "document.querySelector('[data-testid=task-log] [aria-label=Close]').click()",
        vec![],
    )
    .await
    .unwrap();
    eventually("the log window closed", || async {
        (!exists(&app, "[data-testid=task-log]").await).then_some(())
    })
    .await;

    println!("step: edit its memory: pending until the next start, as PVE shows it");
    click(&app, "guest-tab-hardware").await;
    click_enabled(&app, "hw-edit-memory").await;
    fill(&app, "edit-memory-input", "3072").await;
    click_enabled(&app, "edit-save").await;
    let memory = eventually("the memory row shows the pending value", || async {
        let t = app
            .find(Locator::Css("[data-testid=hw-row-memory]"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        (t.contains("pending") && t.contains("3")).then_some(t)
    })
    .await;
    println!("memory row: {memory}");
    h.screenshot(&app, "03-hardware-pending-memory").await;

    println!("step: its addresses from the guest agent, its cloud-init and options");
    click(&app, "guest-tab-summary").await;
    // The clone boots with its template's `ipconfig0: ip=dhcp` and its own new MAC; the
    // simulator's DHCP leases it an address from 198.51.100.0/24, fixed by the VMID, which
    // the guest agent reports. Refresh asks the agent at once.
    let lease = format!("198.51.100.{}", 10 + newid % 240);
    click_enabled(&app, "guest-ips-refresh").await;
    let ips = eventually("the clone's leased address on the summary", || async {
        let t = app
            .find(Locator::Css("[data-testid=guest-ips]"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        (t.contains(&lease) && t.contains("checked")).then_some(t)
    })
    .await;
    println!("addresses panel: {ips}");
    h.screenshot(&app, "03b-summary-addresses").await;
    click(&app, "guest-tab-cloudinit").await;
    let ci = text_of(&app, "cloudinit-table").await;
    assert!(
        ci.contains("debian"),
        "the template's cloud-init user: {ci}"
    );
    h.screenshot(&app, "03c-cloud-init").await;
    click(&app, "guest-tab-options").await;
    let options = text_of(&app, "options-table").await;
    assert!(options.contains("e2e-web"), "{options}");
    h.screenshot(&app, "03d-options").await;

    println!("step: take a snapshot and roll back to it");
    click(&app, "guest-tab-snapshots").await;
    click_enabled(&app, "snapshot-take-open").await;
    fill(&app, "snapshot-name", "e2e_snap").await;
    click_enabled(&app, "snapshot-take-ok").await;
    task_ended(&app, &format!("VM {newid} - Snapshot"), "OK").await;
    eventually("the snapshot in the tree", || async {
        exists(&app, "[data-testid=snapshot-row-e2e_snap]")
            .await
            .then_some(())
    })
    .await;
    click(&app, "snapshot-row-e2e_snap").await;
    click_enabled(&app, "snapshot-rollback-open").await;
    let text = text_of(&app, "snapshot-rollback-text").await;
    assert!(text.contains("e2e_snap"), "{text}");
    click_enabled(&app, "snapshot-rollback-ok").await;
    task_ended(&app, &format!("VM {newid} - Rollback"), "OK").await;
    h.screenshot(&app, "04-snapshots").await;

    println!("step: stop it and remove it, typing its name");
    click_enabled(&app, "guest-action-stop").await;
    click(&app, "guest-action-confirm-ok").await;
    task_ended(&app, &format!("VM {newid} - Stop"), "OK").await;
    click(&app, "guest-action-more").await;
    click_enabled(&app, "guest-action-delete").await;
    fill(&app, "delete-confirm", "e2e-web").await;
    h.screenshot(&app, "05-remove-dialog").await;
    click_enabled(&app, "delete-submit").await;
    task_ended(&app, &format!("VM {newid} - Destroy"), "OK").await;
    let row = format!("[data-testid=tree-guest-prod-{newid}]");
    eventually("the clone gone from the tree", || async {
        (!exists(&app, &row).await).then_some(())
    })
    .await;
    h.screenshot(&app, "06-removed").await;
    app.close().await.unwrap();

    let store = proxdeck_store::Store::open_in(h.data_dir.path()).unwrap();
    let audit = store.audit_list(None, 200).unwrap();
    let target = format!("prod/qemu/{newid}");
    for action in [
        "guest.start",
        "guest.config",
        "guest.snapshot",
        "guest.snapshot.rollback",
        "guest.stop",
        "guest.delete",
    ] {
        assert!(
            audit
                .iter()
                .any(|r| r.entry.action == action && r.entry.target == target),
            "no {action} on {target} in the audit log"
        );
    }
    assert!(
        audit
            .iter()
            .any(|r| r.entry.action == "guest.clone" && r.entry.target == "prod/qemu/9000"),
        "the clone is audited"
    );
}
