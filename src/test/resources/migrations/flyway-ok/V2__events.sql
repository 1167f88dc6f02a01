CREATE TABLE events (id bigserial PRIMARY KEY, content text);
