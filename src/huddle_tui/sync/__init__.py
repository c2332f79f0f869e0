"""Replication to HTTP endpoints: the outbox, the wire format, the client, backoff, secrets, chat posts."""
