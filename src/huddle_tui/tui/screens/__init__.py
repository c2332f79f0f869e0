"""Screens of the huddle app: lobby, round, summary, and the small dialogs they open."""
