-- Saved plans (lockstep plan --out): the digest of the file's exact bytes, checked before the plan
-- is run; the secrets' digests, keyed with key (the file holds neither); used_by is set once, by the
-- one run a plan may start.
CREATE TABLE plans (
    plan_id        text PRIMARY KEY,
    file_sha256    text NOT NULL,
    runbook        text NOT NULL,
    saved_at       timestamptz NOT NULL,
    key            text NOT NULL,
    secret_digests text NOT NULL,
    used_by        text,
    used_at        timestamptz
);
