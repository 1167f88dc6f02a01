ALTER TABLE events ADD COLUMN sig text;
