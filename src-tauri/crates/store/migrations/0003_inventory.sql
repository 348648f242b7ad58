-- Inventory cache: the last successful `/cluster/resources` of each cluster connection and
-- when it was fetched, so the app paints the tree before any network call returns and keeps
-- an unreachable cluster browsable. `resources` is the core's resource list as JSON.
-- No foreign key: the demo datacenter's connections are not stored in `connections`.
-- Removing a stored connection removes its row through the trigger below.
CREATE TABLE inventory_cache (
    connection_id TEXT PRIMARY KEY NOT NULL,
    fetched_at    TEXT NOT NULL,
    resources     TEXT NOT NULL
);

CREATE TRIGGER inventory_cache_follows_connections AFTER DELETE ON connections
BEGIN
    DELETE FROM inventory_cache WHERE connection_id = OLD.id;
END;
