"""A mood key's way to the disk and the outbox stays short: few calls, few modules, one roster.

Issue 25 found a mood key passing through about 30 calls in 20 modules on
its way to the shared folder and the outbox, reading the roster on every
press. This pins the path as it is now, so a layer added on the save path
shows up here: the calls in huddle's own code between the round's key
handler and the moment the record file is opened (and the outbox row is
added), the modules they live in, and how often the job reads the roster.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import pytest

from huddle_tui.config.team import Endpoint, TeamConfig
from huddle_tui.journal import Journal
from huddle_tui.sync.outbox import Outbox
from huddle_tui.tui import io
from tests.fakeclock import FakeClock
from tests.http_helpers import approve_endpoints
from tests.tui.conftest import MADE
from tests.tui.helpers import open_round, settle
from tests.tui.test_sync_status import closed_port

MOST_CALLS = 15  # issue 25: at most half the ~30 it found
MOST_MODULES = 9


def _ours(frame: FrameType | None) -> list[str]:
    """The huddle_tui calls on a stack, outermost first, as 'module.py:function'."""
    calls: list[str] = []
    while frame is not None:
        name = frame.f_code.co_filename
        if "huddle_tui" in name:
            calls.append(f"{name.rsplit('huddle_tui/', 1)[-1]}:{frame.f_code.co_name}")
        frame = frame.f_back
    return calls[::-1]


def _spy(owner: Any, name: str, seen: list[list[str]], armed: list[bool],
         monkeypatch: pytest.MonkeyPatch) -> None:
    """Record the stack of every call of owner.name while armed."""
    original: Callable[..., Any] = getattr(owner, name)

    def spied(*args: Any, **kwargs: Any) -> Any:
        """The original, after noting who called it."""
        if armed[0]:
            seen.append(_ours(sys._getframe(1)))
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, spied)


async def test_a_mood_key_reaches_the_folder_and_the_outbox_in_few_calls(
        make_app: MADE, team: TeamConfig, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """Key handler → job queue → the record file and the outbox row: short paths, one roster read."""
    monkeypatch.setenv("HUDDLE_TEST_TOKEN", "t" * 24)
    down = team._replace(endpoints=(Endpoint(url=f"http://127.0.0.1:{closed_port()}", name="api",
                                             token_env="HUDDLE_TEST_TOKEN"),))
    approve_endpoints(*down.endpoints)
    app = make_app(team_config=down)
    armed = [False]
    submitted: list[list[str]] = []
    rosters: list[list[str]] = []
    outbox_rows: list[list[str]] = []
    record_opens: list[list[str]] = []
    _spy(io.IoQueue, "submit", submitted, armed, monkeypatch)
    _spy(Journal, "roster", rosters, armed, monkeypatch)
    _spy(Outbox, "add_record", outbox_rows, armed, monkeypatch)

    def opened(event: str, args: tuple[Any, ...]) -> None:
        """Note the stack when a record's file is opened to be written into the shared folder."""
        if armed[0] and event == "open" and str(args[0]).endswith(".tmp"):
            stack = _ours(sys._getframe(1))
            if "storage/folder.py:write" in stack:
                record_opens.append(stack)

    sys.addaudithook(opened)  # stays for the process; it does nothing once disarmed
    async with app.run_test(size=(80, 24)) as pilot:
        await open_round(pilot)
        clock.step(15.0)
        armed[0] = True
        await pilot.press("4")
        await settle(pilot)
        for _ in range(20):  # the IO thread finishes the job on its own time
            if outbox_rows:
                break
            await pilot.pause(0.1)
        armed[0] = False

    mood_jobs = [stack for stack in submitted if any("action_mood" in call for call in stack)]
    assert len(mood_jobs) == 1, submitted
    assert record_opens and outbox_rows, (record_opens, outbox_rows)
    to_file = mood_jobs[0] + record_opens[0]
    to_outbox = mood_jobs[0] + outbox_rows[0]
    for path in (to_file, to_outbox):
        assert len(path) <= MOST_CALLS, path
        assert len({call.split(":")[0] for call in path}) <= MOST_MODULES, path
    saving = [stack for stack in rosters if any("amend_checkin" in call for call in stack)]
    assert len(saving) <= 1, saving  # the roster is read once per job
