CREATE INDEX event_tags_event_id ON event_tags (event_id);
CREATE INDEX events_pubkey_created ON events (pubkey, created_at);
