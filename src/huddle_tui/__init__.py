"""huddle-tui: a hybrid team's daily huddle in the terminal."""

__version__ = "0.1.0"
