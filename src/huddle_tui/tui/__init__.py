"""The Textual app: lobby, pulse round and summary screens."""
