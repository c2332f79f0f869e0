"""The signpost's triggers, the measures' scoring and cut-offs, and the configs that list support."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from huddle_tui.config.team import Member, SupportResource, TeamConfig, load_team_config
from huddle_tui.config.user import load_user_config
from huddle_tui.errors import ConfigError
from huddle_tui.rules import measures as m
from huddle_tui.rules import support as s

MON = date(2026, 3, 2)
TEAM = TeamConfig("T", (Member("Ana"),), Path("/nowhere"), holidays=frozenset({date(2026, 3, 11)}))


def days(*offsets: int) -> list[date]:
    """Dates counted from Monday 2 March 2026."""
    return [MON + timedelta(days=o) for o in offsets]


def test_three_low_moods_on_consecutive_working_days_are_a_streak() -> None:
    """Mon, Tue, Wed at 2 or below: a streak of 3 on Wednesday; a 3 in between breaks it."""
    moods = dict(zip(days(0, 1, 2), [2, 1, 2], strict=True))
    assert s.low_streak(moods, TEAM, MON + timedelta(days=2)) == 3
    assert s.reasons_for(moods, TEAM, MON + timedelta(days=2)) == (s.STREAK_REASON,)
    moods[MON + timedelta(days=1)] = 3
    assert s.low_streak(moods, TEAM, MON + timedelta(days=2)) == 1
    assert s.reasons_for(moods, TEAM, MON + timedelta(days=2)) == ()


def test_a_weekend_and_a_holiday_neither_count_nor_break_a_streak() -> None:
    """Thu, Fri, (weekend), Mon low: 3 in a row; Tue 10th low, Wed 11th a holiday, Thu low: still a run."""
    moods = dict(zip(days(3, 4, 7), [2, 2, 1], strict=True))
    assert s.low_streak(moods, TEAM, MON + timedelta(days=7)) == 3
    moods = dict(zip(days(8, 10), [2, 2], strict=True))
    moods[MON + timedelta(days=5)] = 1  # a Saturday answer (no working day) is not counted
    assert s.low_streak(moods, TEAM, MON + timedelta(days=10)) == 2


def test_a_skipped_day_does_not_break_a_streak_but_an_old_one_ends() -> None:
    """Low on Mon, Wed, Fri with no answer between: a streak; a week and more later it is over."""
    moods = dict(zip(days(0, 2, 4), [2, 2, 2], strict=True))
    assert s.low_streak(moods, TEAM, MON + timedelta(days=4)) == 3
    assert s.low_streak(moods, TEAM, MON + timedelta(days=4 + 7)) == 3  # 4 working days later: still
    assert s.low_streak(moods, TEAM, MON + timedelta(days=4 + 11)) == 0  # 6: past STALE_WORKDAYS


def test_each_trigger_on_its_own() -> None:
    """Asking for support, the SISQ signal and the WHO-5 signal each give a signpost; none gives none."""
    assert s.reasons_for({}, TEAM, MON) == ()
    assert s.reasons_for({}, TEAM, MON, asked=True) == (s.ASKED_REASON,)
    assert s.reasons_for({}, TEAM, MON, measure_signals=[s.SISQ_REASON]) == (s.SISQ_REASON,)
    assert s.reasons_for({}, TEAM, MON, measure_signals=[s.WHO5_REASON]) == (s.WHO5_REASON,)
    assert s.signpost((), ()) is None


def test_sisq_signals_after_two_consecutive_weeks_of_four_or_five() -> None:
    """One high week is not a signal; two in a row are; a gap week resets."""
    week1, week2, week4 = MON, MON + timedelta(weeks=1), MON + timedelta(weeks=3)
    one = [m.Answer(m.SISQ, week1, (5,))]
    assert m.signals(one, week1) == ()
    two = [*one, m.Answer(m.SISQ, week2, (4,))]
    assert m.signals(two, week2) == (m.SISQ,)
    assert m.signals([*one, m.Answer(m.SISQ, week2, (3,))], week2) == ()
    assert m.signals([*one, m.Answer(m.SISQ, week4, (4,))], week4) == ()


def test_who5_scores_raw_times_four_and_signals_at_fifty_or_below() -> None:
    """Raw 12 → 48 (signal), raw 13 → 52 (none); an answer older than two weeks no longer counts."""
    low = m.Answer(m.WHO5, MON, (3, 3, 2, 2, 2))
    ok = m.Answer(m.WHO5, MON, (3, 3, 3, 2, 2))
    assert m.score(low) == 48 and m.past_cutoff(low)
    assert m.score(ok) == 52 and not m.past_cutoff(ok)
    assert m.signals([low], MON + timedelta(days=3)) == (m.WHO5,)
    assert m.signals([low], MON + timedelta(days=14)) == ()
    assert m.Answer.from_payload("2026-03-02", {"measure": "who5", "items": [6, 0, 0, 0, 0]}) is None
    assert m.Answer.from_payload("2026-03-02", {"measure": "sisq", "items": [True]}) is None


def test_measures_are_due_weekly_and_fortnightly() -> None:
    """SISQ once per ISO week, WHO-5 once per 14 days; only the measures the team opted into."""
    answered = [m.Answer(m.SISQ, MON, (2,)), m.Answer(m.WHO5, MON, (3,) * 5)]
    assert m.due({m.SISQ, m.WHO5}, answered, MON + timedelta(days=4)) == ()
    assert m.due({m.SISQ, m.WHO5}, answered, MON + timedelta(days=7)) == (m.SISQ,)
    assert m.due({m.SISQ, m.WHO5}, answered, MON + timedelta(days=14)) == (m.SISQ, m.WHO5)
    assert m.due(set(), answered, MON + timedelta(days=14)) == ()


def test_team_aggregates_only_from_three_answers() -> None:
    """Two SISQ answers in the period show nothing; three show a count, a mean and how many are high."""
    two = [m.Answer(m.SISQ, MON, (5,)), m.Answer(m.SISQ, MON, (1,))]
    assert m.measure_aggregates(two, MON, MON) == {m.SISQ: None, m.WHO5: None}
    three = [*two, m.Answer(m.SISQ, MON + timedelta(days=1), (3,))]
    assert m.measure_aggregates(three, MON, MON + timedelta(days=6))[m.SISQ] == m.Aggregate(m.SISQ, 3, 3.0, 1)
    assert m.measure_aggregates(three, MON, MON)[m.SISQ] is None  # out of the period
    assert m.measure_aggregates(three, MON, MON + timedelta(days=6), k=1)[m.SISQ] is not None  # k floors at 3
    assert m.measure_aggregates(two, MON, MON, k=1)[m.SISQ] is None


def test_the_signpost_lists_resources_without_clinical_words() -> None:
    """Calm words, every resource with its kind, and an offer to ask a peer; team and own merged once."""
    team = TEAM._replace(support=(SupportResource("Acme EAP", "0800 1", "eap"),
                                  SupportResource("Ben", "ben on chat", "peer")))
    found = s.resources(team, [SupportResource("Samaritans", "116 123", "crisis"),
                               SupportResource("Acme EAP", "0800 1", "eap")])
    post = s.signpost((s.STREAK_REASON, s.ASKED_REASON), found)
    assert post is not None and [r.name for r in post.peers] == ["Ben"]
    text = "\n".join(s.signpost_lines(post)).lower()
    assert "acme eap (employee assistance programme): 0800 1" in text
    assert "samaritans (crisis line): 116 123" in text
    assert text.count("acme eap") == 1
    for clinical in ("depress", "diagnos", "disorder", "risk", "score", "patient"):
        assert clinical not in text


def test_configs_read_support_measures_and_followup_days(tmp_path: Path) -> None:
    """[[support]] with a kind in both configs, [measures] opt-in, team.followup_days; bad values named."""
    path = tmp_path / "huddle.toml"
    path.write_text('[team]\nname = "T"\nfollowup_days = 3\n[[members]]\nname = "Ana"\n'
                    '[[support]]\nname = "Ben"\ncontact = "chat"\nkind = "peer"\n[measures]\nsisq = true\n')
    team = load_team_config(path)
    assert team.support == (SupportResource("Ben", "chat", "peer"),)
    assert team.measures == frozenset({"sisq"}) and team.followup_days == 3
    path.write_text('[team]\nname = "T"\n[[support]]\nname = "X"\ncontact = "y"\nkind = "therapist"\n')
    with pytest.raises(ConfigError, match=r"support\[0\]\.kind"):
        load_team_config(path)
    path.write_text('[team]\nname = "T"\n[measures]\nphq9 = true\n')
    with pytest.raises(ConfigError, match="phq9"):
        load_team_config(path)
    user = tmp_path / "config.toml"
    user.write_text('me = "Ana"\n[[support]]\nname = "My GP"\ncontact = "01234"\n')
    assert load_user_config(user).support == (SupportResource("My GP", "01234", "other"),)
