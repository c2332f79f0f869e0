"""Plain mode: the huddle as lines of text for screen readers, braille displays and TERM=dumb (no Textual)."""
