"""The check-in form on a member's own terminal, the signpost, `huddle me`, and what never leaks.

Machines are journals with their own private folder on one shared folder.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot

from huddle_tui import support
from huddle_tui.cli import main
from huddle_tui.config.team import ENDPOINT_FORMATS, SupportResource, TeamConfig
from huddle_tui.config.user import UserConfig
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import CheckIn, Concern, FollowUp
from huddle_tui.sync.webhooks import payload
from huddle_tui.tui.checkin_form import CheckinForm, FormResult
from huddle_tui.tui.me_app import MeApp
from huddle_tui.tui.screens.round import CHECKINS_REFRESH_S, RoundScreen
from huddle_tui.tui.signpost import SignpostScreen
from tests.conftest import settle_folders
from tests.tui.conftest import DAY, MADE, fixed_now
from tests.tui.helpers import open_lobby, open_round, screen_text, settle

PRIVATE_WORRY = "PRIVATE-WORRY-42"
PEERS = (SupportResource("Ben", "ben on chat", "peer"), SupportResource("Acme EAP", "0800 123 456", "eap"))


def machine(team: TeamConfig, tmp_path: Path, name: str) -> Journal:
    """A teammate's machine: the shared folder, and a private folder of its own."""
    return Journal(team, now=fixed_now, durable=False, private_root=tmp_path / "machines" / name)


def form_for(team: TeamConfig, tmp_path: Path, name: str = "Ana", **options: object) -> CheckinForm:
    """The form as `huddle checkin` opens it for `name` on their own machine."""
    return CheckinForm(machine(team, tmp_path, name), name, DAY, UserConfig(me=name), **options)  # type: ignore[arg-type]


def form_text(form: CheckinForm) -> str:
    """What the form's app shows now (as helpers.screen_text does for the huddle app)."""
    return form.export_screenshot().replace("&#160;", " ")


async def fill(pilot: Pilot[FormResult], mood: int, status: str, concern: str = "",
               private_concern: bool = False) -> None:
    """Answer the form by keys: the mood, the status, maybe a concern kept private."""
    form = pilot.app
    assert isinstance(form, CheckinForm)
    assert form.focused is form.moods  # the form opens on the mood
    await pilot.press(str(mood))
    form.status.focus()
    await pilot.press(*status)
    if concern:
        form.concern_text.focus()
        await pilot.press(*concern)
        if private_concern:
            form.concern_sharing.value = "private"
        await pilot.press("enter")
    await pilot.pause()


async def saved(pilot: Pilot[FormResult]) -> None:
    """Press ctrl+s, confirm what the team will see (twice for a low mood by name), wait for the save."""
    from huddle_tui.tui.confirm_checkin import ConfirmCheckin

    await pilot.press("ctrl+s")
    await pilot.pause()
    while isinstance(pilot.app.screen, ConfirmCheckin):
        await pilot.press("enter")
        await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_form_saves_what_was_keyed_and_keeps_a_private_concern_here(
        team: TeamConfig, tmp_path: Path) -> None:
    """Mood 4, a status and a private concern: the check-in is shared, the concern stays on the machine."""
    form = form_for(team, tmp_path)
    async with form.run_test(size=(80, 24)) as pilot:
        await fill(pilot, 4, "shipping the importer", PRIVATE_WORRY, private_concern=True)
        assert PRIVATE_WORRY in str(form.concern_list.render())
        await saved(pilot)
    assert isinstance(form.return_value, FormResult) and form.return_value.signpost is None
    shared = Journal(team).read(("checkin", "concern")).live()
    named = [r for r in shared if r.kind == "checkin"]
    assert [(r.payload["mood"], r.payload["status"], r.payload["source"]) for r in named] == [
        (4, "shipping the importer", "form")]
    assert not any(PRIVATE_WORRY in json.dumps(r.payload) for r in shared)
    private = machine(team, tmp_path, "Ana").private.read(("concern",)).live()
    assert [r.payload["text"] for r in private] == [PRIVATE_WORRY]


async def test_the_form_prefills_todays_checkin(team: TeamConfig, tmp_path: Path) -> None:
    """Checked in already: the form opens on that mood and status, and saving makes version 2."""
    journal = machine(team, tmp_path, "Ana")
    journal.save_checkin(CheckIn(DAY.isoformat(), 3, "Ana", "reviewing"))
    current = journal.current("Ana", DAY.isoformat()).checkin
    form = form_for(team, tmp_path, current=current)
    async with form.run_test(size=(80, 24)) as pilot:
        assert form.moods.value == 3 and form.status.value == "reviewing"
        await saved(pilot)
    assert form.return_value is not None and form.return_value.saved is not None
    assert form.return_value.saved.answer.version == 2


async def test_asking_for_support_shows_the_signpost_and_asks_a_peer(team: TeamConfig,
                                                                      tmp_path: Path) -> None:
    """"I'd like support" → the signpost with the team's resources; `a` → Ben follows up, by name."""
    team = team._replace(support=PEERS)
    form = form_for(team, tmp_path)
    async with form.run_test(size=(80, 24)) as pilot:
        await fill(pilot, 3, "ok")
        form.wants_support.focus()
        await pilot.press("space")
        await saved(pilot)
        assert isinstance(form.screen, SignpostScreen)
        text = form_text(form)
        assert "you said you would like some support" in text and "Acme EAP" in text
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("enter")  # Ben
        await pilot.pause()
        await pilot.press("enter")  # by name
        await pilot.pause()
        await form.workers.wait_for_complete()
        await pilot.pause()
    asks = [r.payload for r in Journal(team).read(("concern",)).live("concern")]
    assert [(a["kind"], a["followup"], a["member"]) for a in asks] == [
        ("support", {"owner": "Ben", "state": "open"}, "Ana")]


async def test_three_low_days_signpost_in_the_form(team: TeamConfig, tmp_path: Path) -> None:
    """Two earlier low moods kept privately and a third in the form: the signpost says it noticed."""
    journal = machine(team, tmp_path, "Ana")
    for back in (3, 4):  # the Thursday and Friday before DAY (a Monday)
        journal.save_checkin(CheckIn((DAY - timedelta(days=back)).isoformat(), 2, "Ana",
                                     visibility="private"))
    form = form_for(team, tmp_path)
    async with form.run_test(size=(80, 24)) as pilot:
        await fill(pilot, 1, "rough week")
        await saved(pilot)
        assert "your last few check-ins have been low" in form_text(form)


async def test_a_form_checkin_reaches_the_other_machines_round_without_its_private_parts(
        make_app: MADE, team: TeamConfig, tmp_path: Path) -> None:
    """Dara checks in from her terminal during the round; her turn on the shared screen shows it, soon."""
    app = make_app()
    form = form_for(team, tmp_path, "Dara")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_round(pilot)
        while screen.pulse.view().speaker != "Dara":
            await pilot.press("space")
        await settle(pilot)
        async with form.run_test(size=(80, 24)) as own:
            await fill(own, 4, "pairing with Ben today", PRIVATE_WORRY, private_concern=True)
            await saved(own)
        # Poll on the round's own refresh, with a generous bound: what is asserted is the content.
        for _ in range(40):
            if "pairing with Ben today" in screen_text(app):
                break
            await pilot.pause(CHECKINS_REFRESH_S / 4)
            await settle(pilot)
        assert isinstance(app.screen, RoundScreen)
        text = screen_text(app)
        assert "pairing with Ben today" in text and "4" in text
        assert PRIVATE_WORRY not in text


def signposted_team(team: TeamConfig, tmp_path: Path) -> tuple[TeamConfig, list[str]]:
    """Ana had three low days, asked for support and saw the signpost; its words, to look for."""
    team = team._replace(support=PEERS)
    journal = machine(team, tmp_path, "Ana")
    for back in (3, 4):
        journal.save_checkin(CheckIn((DAY - timedelta(days=back)).isoformat(), 2, "Ana",
                                     visibility="private"))
    journal.save_checkin(CheckIn(DAY.isoformat(), 1, "Ana", "here"))
    post = support.offer(journal, "Ana", DAY, asked=True)
    assert post is not None
    support.note_shown(journal, "Ana", DAY)
    from huddle_tui.rules.support import NOTICED

    words = ["We noticed", "Only you see this", "peer supporter", "0800 123 456", "Acme EAP",
             *NOTICED.values()]
    return team, words


async def test_a_signpost_is_on_no_shared_screen_report_post_or_other_machine(
        make_app: MADE, team: TeamConfig, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """After Ana's signpost: the lobby, round and summary, every summary and export format, every chat
    post, and the facilitator's app on another machine hold none of its words."""
    team, words = signposted_team(team, tmp_path)
    seen: list[str] = []
    app = make_app(team_config=team)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_lobby(pilot)
        seen.append(screen_text(app))
        await pilot.press("enter")
        await settle(pilot)
        seen.append(screen_text(app))
        await pilot.press("e")
        await settle(pilot)
        seen.append(screen_text(app))
    for argv in (["summary", "--date", DAY.isoformat()], ["summary", "--date", DAY.isoformat(), "--json"],
                 ["summary", "--date", DAY.isoformat(), "--format", "markdown"], ["export"],
                 ["export", "--format", "csv"], ["followups", "--json"]):
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            main(["--config", str(team.path), *argv])
        seen.append(out.getvalue())
    summary = Journal(team).summary(DAY)
    seen += [json.dumps(payload(fmt, summary)) for fmt in ENDPOINT_FORMATS if fmt != "records"]
    seen += [p.read_text(errors="replace") for p in (team.shared_dir / "records").rglob("*") if p.is_file()]
    assert len(seen) > 10
    for text in seen:
        for word in words:
            assert word not in text


SnapCompare = Callable[..., bool]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_checkin_form(snap_compare: SnapCompare, team: TeamConfig, tmp_path: Path,
                               size: tuple[int, int]) -> None:
    """The form with a mood picked and a status typed is whole and readable at this size."""
    form = form_for(team, tmp_path, due=("sisq",))

    async def answer(pilot: Pilot[FormResult]) -> None:
        """Mood 4 and a status."""
        await fill(pilot, 4, "shipping the importer")
        form.status.blur()
        await pilot.pause()

    assert snap_compare(form, terminal_size=size, run_before=answer)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_me(snap_compare: SnapCompare, team: TeamConfig, tmp_path: Path,
                     size: tuple[int, int]) -> None:
    """`huddle me` for a member with a low patch, a follow-up and the signpost."""
    team, _ = signposted_team(team, tmp_path)
    journal = machine(team, tmp_path, "Ana")
    journal.save_checkin(CheckIn((DAY - timedelta(days=10)).isoformat(), 4, "Ana", visibility="anonymous"))
    journal.save_checkin(CheckIn((DAY - timedelta(days=7)).isoformat(), 5, "Ana"))
    ask = Concern("would like to talk with a peer supporter", "support", "team", FollowUp("Ben"),
                  "5eed0000-0000-4000-8000-000000000001")  # a fixed id: the picture shows it
    journal.save_concern(ask, DAY.isoformat(), "Ana")
    view = support.me_view(journal, "Ana", DAY)
    assert snap_compare(MeApp(journal, view, UserConfig(me="Ana")), terminal_size=size)


async def test_the_lobby_lists_open_followups_overdue_in_words_and_f_closes_one(
        make_app: MADE, team: TeamConfig, tmp_path: Path) -> None:
    """One follow-up a week old (OVERDUE), one from today; `f`, Enter closes the oldest as a new version."""
    journal = machine(team, tmp_path, "Ana")
    old = Concern("rota for the on-call week", "concern", "team", FollowUp("Chen"),
                  "5eed0000-0000-4000-8000-000000000002")
    journal.save_concern(old, (DAY - timedelta(days=7)).isoformat(), "Ana")
    journal.save_concern(Concern.new("pair on the importer", "support", "team", FollowUp("Ben")),
                         DAY.isoformat(), "Dara")
    journal.save_concern(Concern.new(PRIVATE_WORRY, "support", "private", FollowUp("Ben")),
                         DAY.isoformat(), "Ana")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lobby(pilot)
        await settle(pilot)
        text = screen_text(app)
        assert "Follow-ups, last 60 days: 2 open, 1 overdue" in text and "5 wd OVERDUE" in text
        assert "pair on the importer" in text and PRIVATE_WORRY not in text
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("enter")  # the oldest is listed first
        await settle(pilot)
        assert "Follow-ups, last 60 days: 1 open" in screen_text(app)
    latest = Journal(team).shared.read(("concern",)).records[old.id]
    assert (latest.version, latest.payload["followup"]["state"]) == (2, "done")


async def test_an_idle_lobby_reads_the_followups_again_only_when_their_folders_change(
        make_app: MADE, team: TeamConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The panel's 5-second refresh re-reads nothing while the folders are settled and unchanged."""
    from huddle_tui import followups

    reads: list[int] = []
    real = followups.team_followups

    def counted(*args: object, **kwargs: object) -> object:
        """Count the reads of the shared folder's follow-ups."""
        reads.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(followups, "team_followups", counted)
    journal = machine(team, tmp_path, "Ana")
    journal.save_concern(Concern.new("rota for the on-call week", "concern", "team", FollowUp("Chen")),
                         DAY.isoformat(), "Ana")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lobby(pilot)
        await settle(pilot)
        panel = app.screen.query_one("#followups")
        assert "Follow-ups, last 60 days: 1 open" in screen_text(app)
        settle_folders(team.shared_dir)
        for _ in range(3):
            panel.reload()  # type: ignore[attr-defined]
            await settle(pilot)
        assert len(reads) == 2  # the first read (folders just written), then one settled read: no more
        machine(team, tmp_path, "Dara").save_concern(
            Concern.new("pair on the importer", "support", "team", FollowUp("Ben")), DAY.isoformat(), "Dara")
        panel.reload()  # type: ignore[attr-defined]
        await settle(pilot)
        assert len(reads) == 3 and "Follow-ups, last 60 days: 2 open" in screen_text(app)

