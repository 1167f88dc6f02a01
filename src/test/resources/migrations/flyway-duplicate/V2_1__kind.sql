ALTER TABLE events ADD COLUMN kind integer;
