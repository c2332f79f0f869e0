"""The org report as a client reads it from a server: checked, then shown as text, Markdown, CSV or JSON.

The server (server/orgreport.py) has already applied the k ≥ 3 rule: a team
or the org it suppressed arrives as "fewer than 3" and is shown so, never
guessed at. The answer comes over the network, so it is checked shape by
shape before anything is printed, and every name is made printable.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any, NamedTuple

from huddle_tui.rules.privacy import FEWER as FEWER  # the server's word for what it hid
from huddle_tui.rules.privacy import K
from huddle_tui.text import csv_cell, markdown_literal, printable

MOODS = ("1", "2", "3", "4", "5")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
CSV_COLUMNS = ("team", "participants", "checkins", "weeks_with_3_or_more", "weeks",
               *(f"mood_{m}" for m in MOODS), "signposts")


class OrgFigures(NamedTuple):
    """One team's (or the whole org's) figures over the report's days."""

    participants: int
    checkins: int
    weeks_covered: int
    weeks: int
    moods: tuple[int, ...]
    signposts: int


class OrgReport(NamedTuple):
    """The server's org report: each team's figures or None (fewer than 3), and the org's."""

    start: str
    end: str
    k: int
    teams: dict[str, OrgFigures | None]
    org: OrgFigures | None


def _count(value: Any, where: str) -> int:
    """A whole number ≥ 0 from the answer, or ValueError naming where."""
    if value.__class__ is not int or value < 0:
        raise ValueError(f"{where} is not a whole number")
    return int(value)


def _figures(obj: Any, where: str) -> OrgFigures | None:
    """A figures object, or None for "fewer than 3"; ValueError for anything else."""
    if obj == FEWER:
        return None
    if not isinstance(obj, dict):
        raise ValueError(f"{where} is neither figures nor {FEWER!r}")
    try:
        coverage, moods = obj["weekly_coverage"], obj["mood_distribution"]
        return OrgFigures(_count(obj["participants"], f"{where}.participants"),
                          _count(obj["checkins"], f"{where}.checkins"),
                          _count(coverage["weeks_with_3_or_more"], f"{where}.weekly_coverage"),
                          _count(coverage["weeks"], f"{where}.weekly_coverage"),
                          tuple(_count(moods[m], f"{where}.mood_distribution") for m in MOODS),
                          _count(obj["signposts"], f"{where}.signposts"))
    except (KeyError, TypeError):
        raise ValueError(f"{where} lacks a figure") from None


def parse(obj: Any) -> OrgReport:
    """The report from the server's JSON, or ValueError saying what is wrong with it."""
    if not isinstance(obj, dict) or not isinstance(obj.get("teams"), dict):
        raise ValueError("not an org report")
    start, end, k = obj.get("from"), obj.get("to"), obj.get("k")
    if not (isinstance(start, str) and _DAY.match(start) and isinstance(end, str) and _DAY.match(end)):
        raise ValueError("its from and to are not days")
    teams = {str(name): _figures(f, f"team {printable(str(name))[:40]}") for name, f in obj["teams"].items()}
    return OrgReport(start, end, _count(k, "k"), dict(sorted(teams.items())), _figures(obj.get("org"), "org"))


def as_json(report: OrgReport, endpoint: str) -> dict[str, Any]:
    """The report as `--format json` prints it: the server's shape, with the endpoint's name."""
    def figures(f: OrgFigures | None) -> Any:
        """One figures object, or "fewer than 3"."""
        if f is None:
            return FEWER
        return {"participants": f.participants, "checkins": f.checkins,
                "weekly_coverage": {"weeks_with_3_or_more": f.weeks_covered, "weeks": f.weeks},
                "mood_distribution": dict(zip(MOODS, f.moods, strict=True)), "signposts": f.signposts}

    return {"endpoint": endpoint, "from": report.start, "to": report.end, "k": report.k,
            "org": figures(report.org), "teams": {t: figures(f) for t, f in report.teams.items()}}


def rows(f: OrgFigures, org: bool) -> list[tuple[str, str]]:
    """One scope's figures as (name, shown value): the wording text and Markdown share."""
    span = f"{f.weeks} week{'' if f.weeks == 1 else 's'}"
    weeks = (f"{f.weeks_covered} team-weeks with {K} or more people checking in, over {span}" if org
             else f"{f.weeks_covered} of {span} with {K} or more people checking in")
    return [("participants", f"{f.participants} people checked in"),
            ("check-ins", str(f.checkins)),
            ("weekly coverage", weeks),
            ("mood distribution", " ".join(f"{m}:{n}" for m, n in zip(MOODS, f.moods, strict=True))),
            ("signposts", f"{f.signposts} shown")]


def render_text(report: OrgReport, endpoint: str, markdown: bool = False) -> str:
    """The report for people: plain text, or CommonMark for a wiki or a chat."""
    title = f"Org report from {printable(endpoint)}, {report.start} to {report.end}"
    out = [f"# {markdown_literal(title)}" if markdown else title, ""]
    out += [f"Whole weeks, Monday to Sunday; a team's week counts only if {K} or more people checked in.",
            f"Figures resting on fewer than {report.k} people show as \"{FEWER}\"; other teams are",
            "hidden with them where the org total would give them away.", ""]
    scopes = [("Whole org", report.org, True), *((f"Team {t}", f, False) for t, f in report.teams.items())]
    for head, figures, org in scopes:
        if markdown:
            out += [f"## {markdown_literal(head)}", ""]
            out += [f"- **{n}**: {v}" for n, v in rows(figures, org)] if figures else [f"- {FEWER}"]
        else:
            out.append(printable(head))
            lines = [f"  {n + ':':<20}{v}" for n, v in rows(figures, org)] if figures else [f"  {FEWER}"]
            out += lines
        out.append("")
    if not report.teams:
        out += ["No team has check-ins in these days.", ""]
    return "\n".join(out).rstrip() + "\n"


def render_csv(report: OrgReport) -> str:
    """One row for the org (team "(org)") and one a team; a suppressed row says "fewer than 3" throughout."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for name, f in [("(org)", report.org), *report.teams.items()]:
        values = [FEWER] * (len(CSV_COLUMNS) - 1) if f is None else [
            f.participants, f.checkins, f.weeks_covered, f.weeks, *f.moods, f.signposts]
        writer.writerow([csv_cell(name), *(str(v) for v in values)])
    return buf.getvalue()
