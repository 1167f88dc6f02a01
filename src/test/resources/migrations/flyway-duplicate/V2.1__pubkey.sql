ALTER TABLE events ADD COLUMN pubkey text;
