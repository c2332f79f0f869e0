"""This machine's aggregation secrets: its share key, and the seed of each day key it published.

Both stay on this machine like the signing key (storage/localkey.py): the
share key's secret opens the shares teammates seal to it; a day seed masks
one day and is kept, in the private folder, before its public key is
published, so a crash never leaves a published day key whose seed is lost.
Neither is ever written to the shared folder.
"""

from __future__ import annotations

from pathlib import Path

from huddle_tui import paths
from huddle_tui.aggregation import primitives, wire
from huddle_tui.aggregation.keys import ShareKey
from huddle_tui.aggregation.shamir import from_bytes, to_bytes
from huddle_tui.model.ids import named_id
from huddle_tui.storage.folder import FolderStore
from huddle_tui.storage.localkey import KEY_BYTES, kept_secret
from huddle_tui.storage.signature import b64

SHARE_KEY_NAME = "share.key"
SEED = "dayseed"
"""The private record kind a day seed is kept in."""


def share_key(folder: Path | None = None) -> ShareKey:
    """This machine's share key, made on first use (StoreError, exit 4, if it cannot be kept)."""
    secret = kept_secret((folder or paths.data_dir()) / SHARE_KEY_NAME, "the share key")[:KEY_BYTES]
    return ShareKey(secret, primitives.public_key(secret))


def seed_id(team_dir: Path, member: str, day: str) -> str:
    """The private record id of `member`'s day seed for `day` in the team at `team_dir`."""
    return named_id(SEED, str(team_dir), member, day)


def keep_seed(private: FolderStore, team_dir: Path, member: str, day: str, seed: int) -> None:
    """Keep a day seed (durably, 0600) before its day key is published, beside any earlier one of the day.

    The earlier seeds stay: a crash between keeping a new seed and
    publishing its key leaves the published key's seed still here.
    """
    rid = seed_id(team_dir, member, day)
    earlier = [s for s in _seeds(private, rid, day) if s != seed]
    private.save(SEED, rid, day, {"seeds": [b64(to_bytes(s)) for s in (*earlier[-3:], seed)]})


def kept_seed(private: FolderStore, team_dir: Path, member: str, day: str, public: bytes) -> int | None:
    """The kept seed whose day key is `public` (None: this machine holds no such seed)."""
    for seed in _seeds(private, seed_id(team_dir, member, day), day):
        if primitives.public_key(primitives.day_secret(seed)) == public:
            return seed
    return None


def _seeds(private: FolderStore, rid: str, day: str) -> list[int]:
    """The seeds kept under one record, oldest first (none when unreadable)."""
    record = private.read_ids(SEED, day, (rid,)).records.get(rid)
    if record is None or record.deleted:
        return []
    try:
        return [from_bytes(wire.sized(s, 32)) for s in record.payload.get("seeds", [])]
    except (*wire.MALFORMED,):
        return []
