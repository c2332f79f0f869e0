"""Let `python -m huddle_tui` behave exactly like the `huddle` command."""

from huddle_tui.launch import main

if __name__ == "__main__":  # not when a spawned process (the demo's file writer) imports it again
    raise SystemExit(main())
