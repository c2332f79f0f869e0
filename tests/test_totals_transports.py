"""One team's anonymous totals over every transport: one shared folder, a git repository, the endpoint.

The same day, played on each member's own machine, opens to the same
totals whichever way the records travel; and over git, whose history a
teammate keeps for good, a day with one anonymous answer leaves the same
commits (files, sizes, authors, order relative to the check-ins) as a day
with none.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from huddle_tui.model.checkin import Concern
from tests.totalskit import Homes, distinct_slots
from tests.transportkit import GitHomes, HttpHomes

TRIO = ["Ana", "Ben", "Chen"]


def play_day(homes: Homes) -> list[dict[str, Any]]:
    """Keys ahead, three anonymous check-ins with a concern each, the morning after; each home's totals."""
    homes.keys_ahead(rounds=4)
    for name, mood, words in (("Ana", 2, "release scope keeps moving"), ("Ben", 4, "waiting on the API keys"),
                              ("Chen", 3, "too many meetings")):
        homes.check_in(name, "anonymous", mood, concerns=(Concern.new(words, "concern", "anonymous"),))
    # Each machine runs six times the morning after: over git or the endpoint, what one writes reaches the
    # others only with their next run, and with three holders (t = 3) the list, the counts' reveals and the
    # figures' reveals each wait for all three.
    homes.morning_after(rounds=6)
    return [homes.totals(name) for name in homes.names]


def test_the_same_day_opens_alike_over_a_folder_the_endpoint_and_git(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three members, three anonymous moods and concerns: every home over every transport opens the same."""
    distinct_slots(monkeypatch)
    folder = play_day(Homes(tmp_path / "folder", monkeypatch, TRIO))
    http = HttpHomes(tmp_path / "http", monkeypatch, TRIO)
    try:
        over_http = play_day(http)
    finally:
        http.stop()
    expected = folder[0]
    assert (expected["state"], expected["answers"], expected["mean"]) == ("open", 3, 3.0)
    assert [t["text"] for t in expected["texts"]] == ["release scope keeps moving", "too many meetings",
                                                      "waiting on the API keys"]
    assert folder == over_http == [expected] * 3
    if shutil.which("git") is not None:
        assert play_day(GitHomes(tmp_path / "git", monkeypatch, TRIO)) == [expected] * 3


@pytest.mark.skipif(shutil.which("git") is None, reason="needs the git command")
def test_a_day_with_one_anonymous_answer_leaves_the_git_history_of_a_day_with_none(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ana answers anonymously (a low mood and a concern) or privately; Ben privately, Chen by name.

    Both worlds' remotes hold the same commits, by huddle at midnight, each
    adding files of the same kinds, members, versions and sizes, in the same
    order: the history says who checked in, nothing of who answered how.
    """
    seen = []
    for world, ana in (("anonymous", "anonymous"), ("none", "private")):
        homes = GitHomes(tmp_path / world, monkeypatch, TRIO)
        homes.keys_ahead(rounds=4)
        concerns = (Concern.new("I am close to burning out", "concern", "anonymous"),) if ana == "anonymous" \
            else ()
        homes.check_in("Ana", ana, 1, concerns=concerns)
        homes.check_in("Ben", "private", 3)
        homes.check_in("Chen", "team", 4)
        homes.morning_after(rounds=4)
        assert homes.totals("Chen")["state"] == "too few"
        seen.append(homes.history())
    assert seen[0] == seen[1]
    kinds = [kind for commit in seen[0] for kind, _, _, _ in commit]
    assert "contribution" in kinds and "reveal" in kinds
