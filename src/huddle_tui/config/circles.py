"""The `[circles]` table of huddle.toml: how often peer circles meet, how big and how long they are."""

from collections.abc import Mapping
from typing import Any, NamedTuple

from huddle_tui.config.toml_reader import TomlReader, kind_of

CADENCES = ("weekly", "biweekly")
SIZES = (4, 5, 6)  # the seed's "small groups of 4-6"
MAX_MINUTES = 60
MAX_COOLDOWN_WEEKS = 52
MAX_GROUP_CHARS = 40
CIRCLES_KEYS = {"cadence", "size", "minutes", "cooldown_weeks"}


class CirclesConfig(NamedTuple):
    """Peer circles for members who opt in (`circles = true`): the round's cadence, size and length."""

    cadence: str = "weekly"
    size: int = 5  # the size aimed at; every circle is 4 to 6 whatever the count present (but 7: 4 + 3)
    minutes: int = 10
    cooldown_weeks: int = 4  # two people who shared a circle are kept apart this long while any grouping can

    def to_toml(self) -> dict[str, Any]:
        """The table as huddle.toml holds it."""
        return self._asdict()


def _whole(r: TomlReader, raw: Mapping[str, Any], key: str, default: int, low: int, high: int,
           what: str) -> int:
    """A whole number from `low` to `high`, else one line naming the key."""
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        shown = value if isinstance(value, int) and not isinstance(value, bool) else kind_of(value)
        raise r.fail(f"circles.{key}", f"expected a whole number of {what} from {low} to {high}, got {shown}")
    return value


def read_circles(r: TomlReader, data: Mapping[str, Any]) -> CirclesConfig:
    """Read `[circles]`, each bad value one line naming the key."""
    raw = r.table(data.get("circles", {}), "circles", CIRCLES_KEYS)
    default = CirclesConfig()
    size = raw.get("size", default.size)
    if isinstance(size, bool) or size not in SIZES:
        raise r.fail("circles.size", f"expected 4, 5 or 6 people, got {size!r}")
    return CirclesConfig(
        cadence=r.str_(raw, "cadence", "circles", default.cadence, CADENCES) or default.cadence,
        size=int(size),
        minutes=_whole(r, raw, "minutes", default.minutes, 1, MAX_MINUTES, "minutes"),
        cooldown_weeks=_whole(r, raw, "cooldown_weeks", default.cooldown_weeks, 0, MAX_COOLDOWN_WEEKS,
                              "weeks"))


def read_group(r: TomlReader, m: Mapping[str, Any], where: str) -> str | None:
    """A member's optional `group` (a role, a project, a site): circles mix people across groups."""
    raw = m.get("group")
    if raw is None:
        return None
    if not isinstance(raw, str) or not raw.strip() or len(raw) > MAX_GROUP_CHARS or not raw.isprintable():
        shown = repr(raw[:MAX_GROUP_CHARS + 1]) if isinstance(raw, str) else kind_of(raw)
        raise r.fail(f"{where}.group", f"expected 1 to {MAX_GROUP_CHARS} printable characters "
                                       f'like "backend" or "Lisbon", got {shown}')
    return raw.strip()
