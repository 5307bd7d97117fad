-- One signed delivery: the event and the run it starts, in one transaction (the durability contract).
\set ws random(1, 50)
\set n random(1, 2000000000)
BEGIN;
INSERT INTO events VALUES ('w' || :ws, 'e' || :n || '-' || :client_id, 'shopify', 'd' || :n || '-' || :client_id, 'orders/create', repeat('x', 6400), 1);
INSERT INTO runs (workspace_id, id, flow_id, event_id, status, available_at, created_at)
  VALUES ('w' || :ws, 'r' || :n || '-' || :client_id, 'order-to-erp', 'e' || :n || '-' || :client_id, 'queued', 0, 1);
COMMIT;
