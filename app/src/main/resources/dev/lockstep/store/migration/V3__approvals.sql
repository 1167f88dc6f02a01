-- Approvals and rejections of a step's gate (lockstep approve / reject), written by the approver's
-- own session and never by the driver, which reads them and journals them itself. The database, not
-- the client, says who: approver and at are set by the trigger below from session_user and now(),
-- whatever the INSERT gave, and a recorded verdict can be neither changed nor taken back.
CREATE TABLE approvals (
    id        text PRIMARY KEY,
    run_id    text NOT NULL REFERENCES runs (run_id),
    step      text NOT NULL,
    verdict   text NOT NULL CHECK (verdict IN ('approve', 'reject')),
    digest    text NOT NULL,
    reason    text,
    host      text NOT NULL,
    approver  text NOT NULL DEFAULT session_user,
    at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX approvals_by_step ON approvals (run_id, step);

CREATE FUNCTION approvals_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        RAISE EXCEPTION 'a recorded approval or rejection cannot be changed or removed';
    END IF;
    NEW.approver := session_user;
    NEW.at := now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER approvals_stamp BEFORE INSERT OR UPDATE OR DELETE ON approvals
    FOR EACH ROW EXECUTE FUNCTION approvals_stamp();
