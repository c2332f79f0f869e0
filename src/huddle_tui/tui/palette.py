"""The command palette: every key of the current screen, and every huddle theme."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class HuddleCommands(Provider):
    """Offers the screen's bindings by their long names, so every action is one search away."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        """(title, help, callback) for the screen the palette was opened from, then themes."""
        screen = self.screen
        out: list[tuple[str, str, Callable[[], object]]] = []
        seen: set[str] = set()
        for binding in screen.BINDINGS:
            if isinstance(binding, tuple):
                continue
            title = binding.tooltip or binding.description
            if title in seen or binding.action.startswith("app."):
                continue
            seen.add(title)
            key = binding.key_display or binding.key.split(",")[0]
            out.append((title, f"key: {key}", partial(screen.run_action, binding.action)))
        huddle_themes: list[str] = getattr(self.app, "huddle_themes", [])
        for name in huddle_themes:
            out.append((f"Theme: {name}", "switch the colours (meaning is always in words too)",
                        partial(setattr, self.app, "theme", name)))
        return out

    async def discover(self) -> Hits:
        """Everything, for an empty search."""
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        """Fuzzy-match the titles."""
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
