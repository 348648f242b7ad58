-- A PVE connection may be bound to one resource pool: only that pool's guests are shown
-- and acted on (a token confined to a pool). NULL: the whole cluster.
ALTER TABLE connections ADD COLUMN pool TEXT;
