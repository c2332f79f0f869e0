"""The `[pairs]` table of huddle.toml: how often buddy and coffee rounds come, and how they are made."""

from collections.abc import Mapping
from typing import Any, NamedTuple

from huddle_tui.config.toml_reader import TomlReader, kind_of

CADENCES = ("weekly", "biweekly")
GROUP_SIZES = (2, 3)
MAX_COOLDOWN_WEEKS = 104
MAX_INTERESTS = 20
MAX_INTEREST_CHARS = 40
PAIRS_KEYS = {"cadence", "coffee_cadence", "cooldown_weeks", "group_size", "post"}


class PairsConfig(NamedTuple):
    """Buddy pairs (`cadence`) and virtual-coffee groups (`coffee_cadence`), for members who opt in."""

    cadence: str = "weekly"
    coffee_cadence: str = "biweekly"
    cooldown_weeks: int = 6
    group_size: int = 2
    post: bool = False  # queue each new round's groups as a chat post to the team's chat endpoints

    def cadence_of(self, track: str) -> str:
        """The cadence of the buddy or the coffee track."""
        return self.coffee_cadence if track == "coffee" else self.cadence

    def to_toml(self) -> dict[str, Any]:
        """The table as huddle.toml holds it."""
        return self._asdict()


def read_pairs(r: TomlReader, data: Mapping[str, Any]) -> PairsConfig:
    """Read `[pairs]`, each bad value one line naming the key."""
    raw = r.table(data.get("pairs", {}), "pairs", PAIRS_KEYS)
    default = PairsConfig()
    cooldown = raw.get("cooldown_weeks", default.cooldown_weeks)
    if isinstance(cooldown, bool) or not isinstance(cooldown, int) \
            or not 0 <= cooldown <= MAX_COOLDOWN_WEEKS:
        shown = kind_of(cooldown) if not isinstance(cooldown, int) or isinstance(cooldown, bool) else cooldown
        raise r.fail("pairs.cooldown_weeks", f"expected a whole number of weeks from 0 to "
                                             f"{MAX_COOLDOWN_WEEKS}, got {shown}")
    size = raw.get("group_size", default.group_size)
    if isinstance(size, bool) or size not in GROUP_SIZES:
        raise r.fail("pairs.group_size", f"expected 2 (pairs) or 3 (trios), got {size!r}")
    return PairsConfig(
        cadence=r.str_(raw, "cadence", "pairs", default.cadence, CADENCES) or default.cadence,
        coffee_cadence=r.str_(raw, "coffee_cadence", "pairs", default.coffee_cadence, CADENCES)
        or default.coffee_cadence,
        cooldown_weeks=cooldown, group_size=int(size), post=r.bool_(raw, "post", "pairs", False))


def read_interests(r: TomlReader, m: Mapping[str, Any], where: str) -> tuple[str, ...]:
    """A member's `interests`: a short list of short words, compared ignoring case."""
    raw = m.get("interests", [])
    key = f"{where}.interests"
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise r.fail(key, f'expected a list of words like ["climbing", "rust"], got {kind_of(raw)}')
    if len(raw) > MAX_INTERESTS:
        raise r.fail(key, f"at most {MAX_INTERESTS} interests")
    for item in raw:
        if not item.strip() or len(item) > MAX_INTEREST_CHARS or not item.isprintable():
            raise r.fail(key, f"each interest is 1 to {MAX_INTEREST_CHARS} printable characters, "
                              f"got {item[:MAX_INTEREST_CHARS + 1]!r}")
    return tuple(x.strip() for x in raw)
