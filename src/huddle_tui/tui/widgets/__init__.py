"""Widgets of the huddle app, one module each."""
