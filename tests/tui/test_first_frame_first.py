"""What the lobby's first frame waits on is read before anything else the lobby asks for."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from huddle_tui.config.team import TeamConfig
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import CheckIn
from huddle_tui.tui.io import IoQueue, Job
from tests.storekit import age
from tests.tui.conftest import DAY, MADE
from tests.tui.helpers import open_lobby, settle


def queue() -> IoQueue:
    """A queue whose jobs note their names as they run (nothing is posted anywhere)."""
    return IoQueue(lambda target, message: None, lambda what, why: None, lambda count, why: None)


def job(name: str, ran: list[str], save: bool = False) -> Job:
    """A job that notes it ran."""
    def run() -> Any:
        """Note the run."""
        ran.append(name)
        return None

    return Job(run, None, name, save)  # type: ignore[arg-type]


def drain(q: IoQueue) -> None:
    """Run every ready job in this thread, then stop."""
    q.run(cancelled=lambda: q.idle)


def test_a_first_read_goes_ahead_of_earlier_reads_but_never_of_a_save() -> None:
    """Reads in order, a first one ahead of them; a save asked for earlier still comes before it."""
    ran: list[str] = []
    q = queue()
    q.submit(job("glance", ran))
    q.submit(job("pairs", ran))
    q.submit(job("plan", ran), first=True)
    drain(q)
    assert ran == ["plan", "glance", "pairs"]
    ran.clear()
    q.submit(job("mood", ran, save=True))
    q.submit(job("glance", ran))
    q.submit(job("plan", ran), first=True)
    drain(q)
    assert ran == ["mood", "glance", "plan"]  # reads asked for behind a save keep their order


async def test_the_lobby_reads_its_plan_before_the_glance(make_app: MADE,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The facilitator and order are read first, though the glance asked before the lobby did."""
    order: list[str] = []
    real: Callable[..., None] = IoQueue._run_one

    def noting(self: IoQueue, job: Job) -> None:
        """Run as usual, noting which job ran."""
        order.append(job.what)
        real(self, job)

    monkeypatch.setattr(IoQueue, "_run_one", noting)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lobby(pilot)
        await settle(pilot)
    assert "reading todays plan" in order and "reading the glance" in order
    assert order.index("reading todays plan") < order.index("reading the glance")


async def test_after_a_checkin_the_first_frame_has_the_plan(make_app: MADE, team: TeamConfig) -> None:
    """Huddle morning: a teammate checked in since the lobby was last open. The first frame still has
    the facilitator and order (the plan does not depend on check-ins); the new ✓ follows a read later."""
    Journal(team).save_checkin(CheckIn(DAY.isoformat(), 4, "Ana", "ok"))
    age(team.shared_dir)
    async with make_app().run_test(size=(80, 24)) as pilot:
        before = await open_lobby(pilot)
        plan = before.plan
    Journal(team).save_checkin(CheckIn(DAY.isoformat(), 3, "Dara", "from my terminal"))
    app = make_app()
    first = app.kept_today()
    assert first is not None and first.plan == plan
    assert "ana" in first.checked_in and "dara" not in first.checked_in  # as last seen
    async with app.run_test(size=(80, 24)) as pilot:
        lobby = await open_lobby(pilot)
        assert lobby.plan == plan and {"ana", "dara"} <= lobby.checked_in
