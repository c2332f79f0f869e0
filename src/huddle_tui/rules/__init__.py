"""The huddle's rules: rotation, the round clock, the day's summary and team-level insights."""
