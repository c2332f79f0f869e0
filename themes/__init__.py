"""Theme files shipped with huddle-tui (TOML, one theme a file)."""
