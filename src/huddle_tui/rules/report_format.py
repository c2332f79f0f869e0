"""The impact report as text, Markdown and CSV: the figures of rules/report.py, formatted alike."""

from __future__ import annotations

import csv
import io
from typing import Any

from huddle_tui.rules.report import NOT_COLLECTED, Period, Report, period_json
from huddle_tui.text import csv_cell, printable

CSV_SKIP = ("facilitation", "airtime", "mood_distribution", "measures")


def pct(value: float | None) -> str:
    """A share as a whole percentage, or a dash."""
    return "–" if value is None else f"{round(value * 100)}%"


def num(value: float | None, places: int = 1) -> str:
    """A number to `places` decimals, or a dash."""
    return "–" if value is None else f"{value:.{places}f}"


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
                          f"check-ins, {p.working_days} working days)"),
        ("weekly coverage", f"{pct(p.coverage)} (target {pct(p.coverage_target)}; "
                            f"{p.weeks_at_target} of {p.weeks} weeks at target)"),
        ("mood", f"mean {num(p.mood_mean)} from {p.mood_answers} answers "
                 f"({p.named_answers} named, {p.anonymous_answers} anonymous)"),
        ("mood distribution", " ".join(f"{k}:{dist[k]}" for k in range(1, 6)) if dist else "–"),
        ("low-mood streaks", str(p.low_mood_streaks)),
        ("signposts", NOT_COLLECTED if p.signposts is None else str(p.signposts)),
        ("validated measures", NOT_COLLECTED if p.measures is None
         else ", ".join(f"{k} {num(v)}" for k, v in sorted(p.measures.items()))),
        ("huddles", f"{p.huddles} held, mean {num(p.mean_length_s, 0)} s of a {num(p.round_s, 0)} s round, "
                    f"{p.overtime_huddles} over time ({num(p.overtime_s, 0)} s)"),
        ("facilitation", f"{facil} (spread {_int(p.facilitation_spread)})"),
        ("airtime", f"{air} of timebox (Gini {num(p.airtime_gini, 2)})"),
        ("follow-ups", f"{p.followups_opened} opened, {p.followups_closed} closed, {p.followups_open} open "
                       f"(oldest {_int(p.followups_oldest_open_days)} days)"),
    ]


def render_text(report: Report, markdown: bool = False) -> str:
    """The report for people: plain text, or CommonMark to paste into a wiki or a chat."""
    out: list[str] = []
    title = f"Impact report: {printable(report.team)}, {report.since} to {report.until}, by {report.by}"
    out += [f"# {_md(title)}" if markdown else title, ""]
    change = "–" if report.coverage_change is None else f"{report.coverage_change * 100:+.0f} points"
    line = f"Weekly coverage target {pct(report.target)}; change over the report {change}."
    out += [line, ""]
    for sentence in report.changes:
        out.append(f"- {sentence}" if markdown else f"  {sentence}")
    if report.changes:
        out.append("")
    for p in report.periods:
        head = f"{p.label} ({p.start} to {p.end})"
        if markdown:
            out += [f"## {head}", ""]
            out += [f"- **{name}**: {_md(value)}" for name, value in rows(p)]
        else:
            out.append(head)
            out += [f"  {name + ':':<20}{printable(value)}" for name, value in rows(p)]
        out.append("")
    if not report.periods:
        out += ["No dates in this report.", ""]
    return "\n".join(out).rstrip() + "\n"


def render_csv(report: Report) -> str:
    """One row per period, one column per figure, with a header."""
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
    for m in range(1, 6):
        out[f"mood_{m}"] = dist.get(str(m), 0 if dist else None)
    out["signposts"] = data["signposts"] if data["signposts"] is not None else NOT_COLLECTED
    out["measures"] = NOT_COLLECTED if data["measures"] is None else ";".join(
        f"{k}={v}" for k, v in sorted(data["measures"].items()))
    out["facilitation"] = ";".join(f"{k}={v}" for k, v in sorted(data["facilitation"].items()))
    out["airtime"] = ";".join(f"{k}={v}" for k, v in sorted(data["airtime"].items()))
    return out


def _empty() -> Period:
    """A period with no data, for the header of an empty CSV."""
    return Period("", "", "", 0, 0, 0, None, None, 0.0, 0, 0, 0, None, None, 0, 0, 0, 0, None, None,
                  0, 0.0, {}, None, {}, None, 0, 0, 0, None, None, None)


def _md(text: str) -> str:
    """Text safe in a Markdown heading or list item: control characters and markup escaped."""
    text = printable(text)
    for ch in "\\|*_`[]<>#":
        text = text.replace(ch, "\\" + ch)
    return text
