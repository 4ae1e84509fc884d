-- Migration 0006: bytes where engines keep bytes (SPEC W13).
--
-- Event payloads, run contexts, task payloads and results and frames may hold byte arrays. Each
-- such column gets a kind marker (<column>_kind) and, where the value itself may be a byte array,
-- a BLOB (<column>_bytes), following core's stored form (docs/decisions.md, "W13 nested bytes in a
-- store"): kind NULL is JSON in the TEXT column exactly as before this migration, so no stored row
-- changes; 'bytes' is a byte array in the BLOB (the TEXT column holds 'null'); 'nested' is JSON in
-- the TEXT column where each byte array is {"$bytes":"<base64>"} and member names starting with
-- '$' carry one more '$'. A context is an object, never a byte array: it has no BLOB.
ALTER TABLE {{events}} ADD COLUMN payload_kind TEXT;
ALTER TABLE {{events}} ADD COLUMN payload_bytes BLOB;
ALTER TABLE {{runs}} ADD COLUMN context_kind TEXT;
ALTER TABLE {{tasks}} ADD COLUMN payload_kind TEXT;
ALTER TABLE {{tasks}} ADD COLUMN payload_bytes BLOB;
ALTER TABLE {{tasks}} ADD COLUMN result_kind TEXT;
ALTER TABLE {{tasks}} ADD COLUMN result_bytes BLOB;
ALTER TABLE {{frames}} ADD COLUMN data_kind TEXT;
ALTER TABLE {{frames}} ADD COLUMN data_bytes BLOB;
