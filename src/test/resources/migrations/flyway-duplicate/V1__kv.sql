CREATE TABLE kv (key text PRIMARY KEY, value bytea);
