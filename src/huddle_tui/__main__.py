"""Let `python -m huddle_tui` behave exactly like the `huddle` command."""

from huddle_tui.cli import main

raise SystemExit(main())
