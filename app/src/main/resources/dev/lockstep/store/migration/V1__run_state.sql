-- lockstep's shared run state. Flyway creates this schema and applies these files in order;
-- lockstep refuses a schema with migrations newer than it knows.

-- One row per run; moved_to is set when lockstep state copy handed the run to another store.
CREATE TABLE runs (
    run_id      text PRIMARY KEY,
    runbook     text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    moved_to    text
);
CREATE INDEX runs_by_update ON runs (updated_at);

-- The journal: record is the same text the local journal writes (JSON with its CRC, secrets
-- masked); ts, type and step repeat it for queries. The key (run_id, seq) is the fencing token:
-- two processes can never both write record N of a run.
CREATE TABLE events (
    run_id  text NOT NULL REFERENCES runs (run_id),
    seq     bigint NOT NULL CHECK (seq > 0),
    ts      timestamptz NOT NULL,
    type    text NOT NULL,
    step    text,
    record  text NOT NULL,
    PRIMARY KEY (run_id, seq)
);

-- Who drives a run: a lease its holder renews; once expires_at has passed anyone may take it.
-- Every append checks token under this row's lock, so a holder that lost it stops at its next append.
CREATE TABLE leases (
    run_id      text PRIMARY KEY REFERENCES runs (run_id),
    token       uuid NOT NULL,
    operator    text NOT NULL,
    host        text NOT NULL,
    pid         bigint NOT NULL,
    command     text NOT NULL,
    since       timestamptz NOT NULL,
    renewed_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL
);

-- Step output in bounded chunks (timestamped lines, secrets masked), numbered per run in the
-- order they were written; before_seq is the record they precede, so a watcher interleaves them.
CREATE TABLE logs (
    run_id      text NOT NULL REFERENCES runs (run_id),
    chunk       bigint NOT NULL CHECK (chunk > 0),
    log         text NOT NULL,
    before_seq  bigint NOT NULL,
    lines       text NOT NULL,
    PRIMARY KEY (run_id, chunk)
);
CREATE INDEX logs_by_name ON logs (run_id, log, chunk);
