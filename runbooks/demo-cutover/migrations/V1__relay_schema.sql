-- The relay's tables on PostgreSQL: the same columns as on SQLite, with real keys.
CREATE TABLE events (
    id         bigserial PRIMARY KEY,
    pubkey     text      NOT NULL,
    created_at bigint    NOT NULL,
    kind       integer   NOT NULL,
    content    text      NOT NULL,
    sig        bytea
);

CREATE TABLE event_tags (
    id       bigserial PRIMARY KEY,
    event_id bigint    NOT NULL,
    name     text      NOT NULL,
    value    text      NOT NULL
);

CREATE TABLE kv (
    key   text PRIMARY KEY,
    value bytea
);
