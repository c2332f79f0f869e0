"""The keys this machine trusts for a team's members, kept on this machine only (like known_hosts).

Nothing that decides trust may live only in the shared folder, which every
teammate can write: so the keys pinned for each member (the first seen, or
one confirmed with `huddle keys confirm`) and the roster this machine's
user last saw are kept here, in the data folder, one file per shared
folder, readable by this user alone. So is which member this machine's user
is in that folder when their user config names none of its members (the
demo team `huddle demo` makes them one of). Losing it costs only a fresh
round of trust on first use; it holds no secret.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from huddle_tui import paths
from huddle_tui.storage.fileio import PRIVATE_FILE, make_private_dir, write_atomic
from huddle_tui.storage.stamps import folder_tag

FORMAT = 1


def keyring_path(shared: Path, folder: Path | None = None) -> Path:
    """Where this machine keeps the keys it trusts for one shared folder's members."""
    return (folder or paths.data_dir()) / "keys" / f"{folder_tag(shared)}.keyring"


class Keyring:
    """Pinned keys per member (folded names), and the roster acknowledged, for one shared folder."""

    def __init__(self, path: Path, pinned: dict[str, list[str]], acknowledged: list[str] | None,
                 published: list[str], me: str | None = None) -> None:
        """What was loaded from `path` (empty when there was nothing)."""
        self.path = path
        self.pinned = pinned
        self.acknowledged = acknowledged
        self.published = published
        self.me = me

    @classmethod
    def for_folder(cls, shared: Path, folder: Path | None = None) -> Keyring:
        """This machine's keyring for a shared folder (empty when it has none yet, or it is damaged)."""
        path = keyring_path(shared, folder)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, ValueError):
            return cls(path, {}, None, [])
        import json  # only once there is a keyring: a command that finds none does without it

        try:
            data: Any = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return cls(path, {}, None, [])
        pinned = data.get("pinned")
        acknowledged = data.get("acknowledged")
        published = data.get("published")
        me = data.get("me")
        return cls(path,
                   {str(m): [str(k) for k in keys] for m, keys in pinned.items() if isinstance(keys, list)}
                   if isinstance(pinned, dict) else {},
                   [str(m) for m in acknowledged] if isinstance(acknowledged, list) else None,
                   [str(k) for k in published] if isinstance(published, list) else [],
                   me if isinstance(me, str) and me else None)

    def pin(self, member: str, key: str) -> bool:
        """Trust `key` as `member`'s from now on; whether that is new."""
        keys = self.pinned.setdefault(member.casefold(), [])
        if key in keys:
            return False
        keys.append(key)
        return True

    def acknowledge(self, roster: list[str]) -> bool:
        """Note the roster (folded names) as seen by this machine's user; whether it changed."""
        wanted = sorted(roster)
        if self.acknowledged == wanted:
            return False
        self.acknowledged = wanted
        return True

    def save(self) -> None:
        """Write the keyring whole (0600 in a 0700 folder); an OSError reaches the caller."""
        import json

        make_private_dir(self.path.parent)
        data = {"format": FORMAT, "pinned": {m: sorted(set(k)) for m, k in sorted(self.pinned.items())},
                "acknowledged": self.acknowledged, "published": sorted(set(self.published))}
        if self.me is not None:
            data["me"] = self.me
        write_atomic(self.path, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode(),
                     durable=True, mode=PRIVATE_FILE)
