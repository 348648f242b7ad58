//! What changed between two fetches of a cluster's resources, so only that crosses to the
//! UI. Resources are matched by id; `uptime` alone is not a change, because it grows with
//! the clock and would make every running guest "changed" on every refresh.

use std::collections::HashMap;

use super::Resource;

/// The difference between two resource lists.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes {
    pub added: Vec<Resource>,
    pub changed: Vec<Resource>,
    pub removed: Vec<String>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}

/// What `new` adds to, changes in and removes from `old`, in the order of each list.
pub fn diff(old: &[Resource], new: &[Resource]) -> Changes {
    let before: HashMap<&str, &Resource> = old.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut changes = Changes::default();
    let mut seen = std::collections::HashSet::with_capacity(new.len());
    for r in new {
        seen.insert(r.id.as_str());
        match before.get(r.id.as_str()) {
            None => changes.added.push(r.clone()),
            Some(prev) if !same(prev, r) => changes.changed.push(r.clone()),
            Some(_) => {}
        }
    }
    changes.removed = old
        .iter()
        .filter(|r| !seen.contains(r.id.as_str()))
        .map(|r| r.id.clone())
        .collect();
    changes
}

/// Equal but for `uptime`, field by field: this runs for every resource on every refresh.
/// The destructuring is exhaustive so a new field cannot be forgotten here.
fn same(a: &Resource, b: &Resource) -> bool {
    let Resource {
        id,
        kind,
        node,
        vmid,
        name,
        status,
        template,
        pool,
        tags,
        lock,
        hastate,
        storage,
        cpu,
        maxcpu,
        mem,
        maxmem,
        disk,
        maxdisk,
        uptime,
    } = a;
    *id == b.id
        && *kind == b.kind
        && *node == b.node
        && *vmid == b.vmid
        && *name == b.name
        && *status == b.status
        && *template == b.template
        && *pool == b.pool
        && *tags == b.tags
        && *lock == b.lock
        && *hastate == b.hastate
        && *storage == b.storage
        && *cpu == b.cpu
        && *maxcpu == b.maxcpu
        && *mem == b.mem
        && *maxmem == b.maxmem
        && *disk == b.disk
        && *maxdisk == b.maxdisk
        && uptime.is_some() == b.uptime.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guest(vmid: u32, status: &str) -> Resource {
        Resource {
            id: format!("qemu/{vmid}"),
            kind: "qemu".into(),
            node: Some("pve1".into()),
            vmid: Some(vmid),
            name: Some(format!("vm{vmid}")),
            status: Some(status.into()),
            template: false,
            pool: None,
            tags: None,
            lock: None,
            hastate: None,
            storage: None,
            cpu: Some(0.1),
            maxcpu: Some(2.0),
            mem: Some(1.0),
            maxmem: Some(2.0),
            disk: None,
            maxdisk: None,
            uptime: Some(100.0),
        }
    }

    #[test]
    fn a_guest_that_appears_is_added() {
        let old = vec![guest(100, "running")];
        let new = vec![guest(100, "running"), guest(101, "stopped")];
        let c = diff(&old, &new);
        assert_eq!(c.added, vec![guest(101, "stopped")]);
        assert!(c.changed.is_empty() && c.removed.is_empty());
    }

    #[test]
    fn a_guest_that_disappears_is_removed_by_id() {
        let old = vec![guest(100, "running"), guest(101, "stopped")];
        let new = vec![guest(101, "stopped")];
        let c = diff(&old, &new);
        assert_eq!(c.removed, vec!["qemu/100".to_owned()]);
        assert!(c.added.is_empty() && c.changed.is_empty());
    }

    #[test]
    fn a_guest_that_starts_is_changed_whole() {
        let old = vec![guest(100, "stopped"), guest(101, "stopped")];
        let new = vec![guest(100, "running"), guest(101, "stopped")];
        let c = diff(&old, &new);
        assert_eq!(c.changed, vec![guest(100, "running")]);
        assert!(c.added.is_empty() && c.removed.is_empty());
    }

    #[test]
    fn unchanged_or_only_older_is_no_change() {
        let old = vec![guest(100, "running"), guest(101, "stopped")];
        assert!(diff(&old, &old.clone()).is_empty());
        let mut later = old.clone();
        later[0].uptime = Some(110.0);
        assert!(diff(&old, &later).is_empty());
        later[0].cpu = Some(0.5);
        assert_eq!(diff(&old, &later).changed.len(), 1);
    }

    #[test]
    fn everything_is_added_to_nothing() {
        let new = vec![guest(100, "running"), guest(101, "stopped")];
        let c = diff(&[], &new);
        assert_eq!(c.added, new);
    }
}
