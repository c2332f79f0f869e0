"""The team config (shared huddle.toml) and the user config, read strictly into typed values."""
