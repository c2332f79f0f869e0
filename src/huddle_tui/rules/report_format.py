"""The impact report as text, Markdown and CSV: the figures of rules/report.py, formatted alike."""

from __future__ import annotations

from typing import Any

from huddle_tui.model.pairs import TRACKS
from huddle_tui.rules import measures as m
from huddle_tui.rules.pair_figures import PairStats
from huddle_tui.rules.privacy import FEWER
from huddle_tui.rules.report import NOT_COLLECTED, Period, Report, period_json
from huddle_tui.rules.session_figures import SessionStats
from huddle_tui.text import csv_cell, markdown_literal, printable

CSV_SKIP = ("facilitation", "airtime", "mood_distribution", "measures", "pairs", "sessions")
SESSION_FIELDS = SessionStats._fields
MEASURE_WORDS = {m.SISQ: ("stress (SISQ)", "of 1–5", "at 4–5"),
                 m.WHO5: ("WHO-5", "of 0–100", "at 50 or below")}
MEASURE_FIELDS = ("answers", "mean", "past_cutoff")
PAIR_FIELDS = PairStats._fields
TRACK_WORDS = {"buddy": "buddies", "coffee": "virtual coffee"}
SUPPORT_ROWS = ("signposts", "validated measures", *TRACK_WORDS.values())


def pct(value: float | None) -> str:
    """A share as a whole percentage, or a dash."""
    return "–" if value is None else f"{round(value * 100)}%"


def num(value: float | None, places: int = 1) -> str:
    """A number to `places` decimals, or a dash."""
    return "–" if value is None else f"{value:.{places}f}"


def plural(count: int, word: str) -> str:
    """A count and its noun: 1 round, 2 rounds."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def _int(value: int | None) -> str:
    """A whole number, or a dash."""
    return "–" if value is None else str(value)


def rows(p: Period) -> list[tuple[str, str]]:
    """A period's figures as (name, shown value): the one wording text and Markdown share."""
    dist = p.mood_distribution
    facil = ", ".join(f"{k} {v}" for k, v in sorted(p.facilitation.items())) or "–"
    air = ", ".join(f"{k} {pct(v)}" for k, v in sorted(p.airtime.items())) or "–"
    return [
        ("participation", f"{pct(p.participation)} ({p.submitted} of {p.expected} expected "
                          f"check-ins{f', {p.async_checkins} async' if p.async_checkins else ''}, "
                          f"{p.working_days} working days)"),
        ("weekly coverage", f"{pct(p.coverage)} (target {pct(p.coverage_target)}; "
                            f"{p.weeks_at_target} of {p.weeks} weeks at target)"),
        ("mood", f"mean {num(p.mood_mean)} from {p.mood_answers} answers "
                 f"({p.named_answers} named, {p.anonymous_answers} anonymous)"),
        ("mood distribution", " ".join(f"{k}:{dist[k]}" for k in range(1, 6)) if dist else "–"),
        ("low-mood streaks", str(p.low_mood_streaks)),
        ("signposts", FEWER if p.signposts is None else f"{p.signposts} shown"),
        ("validated measures", measures_text(p.measures)),
        ("huddles", huddles_text(p)),
        ("facilitation", f"{facil} (spread {_int(p.facilitation_spread)})"),
        ("airtime", f"{air} of timebox (Gini {num(p.airtime_gini, 2)})"),
        ("follow-ups", f"{p.followups_opened} opened, {p.followups_closed} closed, {p.followups_open} open "
                       f"(oldest {_int(p.followups_oldest_open_days)} days)"),
        *pairs_rows(p.pairs),
        *sessions_rows(p.sessions),
    ]


def sessions_rows(s: SessionStats | None) -> list[tuple[str, str]]:
    """Peer circles and debriefs as rows (none when nobody opted in and none was held)."""
    if s is None:
        return []

    def count(value: int | None) -> str:
        """A count, or that it is hidden below K."""
        return FEWER if value is None else str(value)

    held = f"{plural(s.circles, 'circle')}, {plural(s.debriefs, 'debrief')}"
    if s.events:
        held += " (" + "; ".join(s.events) + ")"
    return [
        ("circles, debriefs", held),
        ("attendance", f"{pct(s.attendance)} ({s.attended} of {s.seated} in their rooms; "
                       f"target {pct(s.target)})"),
        ("sessions led by", f"{plural(s.facilitators, 'member')} (spread {_int(s.facilitation_spread)})"),
        ("takeaways", f"{count(s.takeaways_shared)} shared with the team"
                      + (f" ({s.takeaways_anonymous} with no name)" if s.takeaways_anonymous else "")
                      + f", {count(s.takeaways_kept)} kept in the room"),
        ("thanks", f"{count(s.thanks)} given, {count(s.thanked)} people thanked"),
    ]


def huddles_text(p: Period) -> str:
    """Huddles held, and the timing of those that ran a round (one only confirmed timed nothing)."""
    held = f"{p.huddles} held"
    if p.huddles and p.timed_huddles < p.huddles:
        untimed = p.huddles - p.timed_huddles
        held += f" ({untimed} recorded as held without a timed round)"
    if not p.timed_huddles:
        return held
    return (f"{held}, mean {num(p.mean_length_s, 0)} s of a {num(p.round_s, 0)} s round, "
            f"{p.overtime_huddles} over time ({num(p.overtime_s, 0)} s)")


def measures_text(found: dict[str, m.Aggregate | None] | None) -> str:
    """Each collected measure's aggregate in words, or why there is none."""
    if found is None:
        return NOT_COLLECTED
    parts = []
    for measure, agg in sorted(found.items()):
        name, scale, past = MEASURE_WORDS.get(measure, (measure, "", "past the cut-off"))
        parts.append(f"{name} {FEWER} answers" if agg is None else f"{name} mean {num(agg.mean)} {scale} "
                     f"from {agg.answers} answers, {agg.past_cutoff} {past}")
    return "; ".join(parts)


def pairs_rows(found: dict[str, PairStats] | None) -> list[tuple[str, str]]:
    """Buddy figures (and coffee's, in periods with coffee rounds) as rows."""
    if found is None:
        return [(TRACK_WORDS["buddy"], "nobody opted in")]
    out = []
    for track in TRACKS:
        s = found.get(track)
        if s is None or (track != "buddy" and not s.rounds):
            continue
        met = ("none marked met or skipped" if s.share_met is None
               else f"{pct(s.share_met)} of those marked met")
        out.append((TRACK_WORDS[track], "no rounds" if not s.rounds else
                    f"{plural(s.pairs_made, 'pair')} in {plural(s.rounds, 'round')}, {met}, "
                    f"{plural(s.repeats_within_cooldown, 'repeat')} within the cooldown, "
                    f"longest gap {plural(s.longest_gap_weeks, 'week')}"))
    return out


def render_text(report: Report, markdown: bool = False) -> str:
    """The report for people: plain text, or CommonMark to paste into a wiki or a chat."""
    out: list[str] = []
    title = f"Impact report: {printable(report.team)}, {report.since} to {report.until}, by {report.by}"
    out += [f"# {markdown_literal(title)}" if markdown else title, ""]
    change = "–" if report.coverage_change is None else f"{report.coverage_change * 100:+.0f} points"
    line = f"Weekly coverage target {pct(report.target)}; change over the report {change}."
    out += [line, ""]
    if report.asked_since:
        out += [f"Starts {report.since}, when the team started (asked from {report.asked_since}).", ""]
    if any(p.partial for p in report.periods):
        out += ["A period marked partial is still under way: it is left out of the change and of what "
                "changed most.", ""]
    for sentence in report.changes:
        out.append(f"- {sentence}" if markdown else f"  {sentence}")
    if report.changes:
        out.append("")
    for p in report.periods:
        head = f"{p.label} ({p.start} to {p.end}{', partial' if p.partial else ''})"
        if markdown:
            out += [f"## {head}", ""]
            out += [f"- **{name}**: {markdown_literal(value)}" for name, value in rows(p)]
        else:
            out.append(head)
            out += [f"  {name + ':':<20}{printable(value)}" for name, value in rows(p)]
        out.append("")
    if not report.periods:
        out += ["No dates in this report.", ""]
    return "\n".join(out).rstrip() + "\n"


def render_csv(report: Report) -> str:
    """One row per period, one column per figure, with a header (csv, a C module, loaded for it alone)."""
    import csv
    import io

    buf = io.StringIO()
    records = [_flat(period_json(p)) for p in report.periods]
    header = list(records[0]) if records else list(_flat(period_json(_empty())))
    writer = csv.DictWriter(buf, header, lineterminator="\n")
    writer.writeheader()
    for r in records:
        writer.writerow({k: csv_cell("" if v is None else str(v)) for k, v in r.items()})
    return buf.getvalue()


def _flat(data: dict[str, Any]) -> dict[str, Any]:
    """A period's JSON with the per-member and per-mood maps as their own columns."""
    out = {k: v for k, v in data.items() if k not in CSV_SKIP}
    dist = data["mood_distribution"] or {}
    for mood in range(1, 6):
        out[f"mood_{mood}"] = dist.get(str(mood), 0 if dist else None)
    measures = data["measures"]
    out["measures_collected"] = measures is not None
    for measure in (m.SISQ, m.WHO5):
        agg = (measures or {}).get(measure) or {}
        for field in MEASURE_FIELDS:
            out[f"{measure}_{field}"] = agg.get(field)
    pairs = data["pairs"] or {}
    for track in TRACKS:
        for field in PAIR_FIELDS:
            out[f"{track}_{field}"] = (pairs.get(track) or {}).get(field)
    found = data["sessions"] or {}
    for field in SESSION_FIELDS:
        value = found.get(field)
        out[f"sessions_{field}"] = ";".join(value) if isinstance(value, list) else value
    out["facilitation"] = ";".join(f"{k}={v}" for k, v in sorted(data["facilitation"].items()))
    out["airtime"] = ";".join(f"{k}={v}" for k, v in sorted(data["airtime"].items()))
    return out


def _empty() -> Period:
    """A period with no data, for the header of an empty CSV."""
    return Period("", "", "", 0, 0, 0, None, None, 0.0, 0, 0, 0, None, None, 0, 0, 0, 0, None, None,
                  0, 0.0, {}, None, {}, None, 0, 0, 0, None, None, True, None, None)

