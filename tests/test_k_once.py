"""k is set once (rules/privacy.K): every threshold and every word about it follows it.

A second copy of k (a MIN_ANSWERS = 3, a server K = 3, a literal "fewer
than 3") would go on hiding below 3 after the rule changed, or say 3 where
4 is meant. These tests change K where it is set and see everything follow,
find no copy of its phrases in the code, and hold the published keys and
the OpenAPI description that name it to it.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

from huddle_tui.rules import org_report
from huddle_tui.rules.privacy import FEWER, K_DISTRIBUTION, K
from huddle_tui.rules.report import Period

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "huddle_tui"

# Run with privacy.py's source changed to K = 4 before anything imports it: what every module
# that holds back, hides or words a figure then does.
WITH_K_4 = r'''
import argparse, importlib.util, json, sys
name = "huddle_tui.rules.privacy"
spec = importlib.util.find_spec(name)
source = spec.loader.get_source(name)
assert source.count("\nK = 3\n") == 1, "K is no longer set as `K = 3`"
module = importlib.util.module_from_spec(spec)
sys.modules[name] = module
exec(compile(source.replace("\nK = 3\n", "\nK = 4\n"), spec.origin, "exec"), module.__dict__)

from huddle_tui.commands import report
from huddle_tui.rules import insights, org_report, report_format
from huddle_tui.server import orgreport

three = [orgreport.Answer("a", "2026-03-02", name, 4) for name in ("Ana", "Ben", "Chen")]
four = [*three, orgreport.Answer("a", "2026-03-03", "Dara", 2)]
parser = argparse.ArgumentParser()
report.configure(parser)
figures = org_report.OrgFigures(3, 3, 1, 1, (0, 0, 0, 3, 0), 0)
print(json.dumps({
    "distribution of 3": insights.mood_distribution([1, 2, 3]),
    "distribution of 4": insights.mood_distribution([1, 2, 3, 4]),
    "fewer": sorted({report_format.FEWER, org_report.FEWER, orgreport.FEWER}),
    "server k": [orgreport.K, orgreport.build_report(three, "2026-03-02", "2026-03-08")["k"]],
    "team of 3": orgreport.build_report(three, "2026-03-02", "2026-03-08")["teams"]["a"],
    "team of 4": orgreport.build_report(four, "2026-03-02", "2026-03-08")["teams"]["a"] != "fewer than 4",
    "rows": dict(org_report.rows(figures, org=False))["weekly coverage"],
    "help": " ".join(parser.format_help().split()),
}))
'''


def test_changing_k_where_it_is_set_changes_every_threshold_and_word() -> None:
    """K = 4 in privacy.py alone: distributions, the server's suppression and every "fewer than" follow."""
    result = subprocess.run([sys.executable, "-c", WITH_K_4], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["distribution of 3"] is None
    assert found["distribution of 4"] == {"1": 1, "2": 1, "3": 1, "4": 1, "5": 0}
    assert found["fewer"] == ["fewer than 4"]
    assert found["server k"] == [4, 4]
    assert found["team of 3"] == "fewer than 4" and found["team of 4"] is True
    assert found["rows"] == "1 of 1 week with 4 or more people checking in"
    assert "every team's aggregates, k ≥ 4" in found["help"]


def code_strings(path: Path) -> list[tuple[int, str]]:
    """Every string constant in a module that is not a docstring (f-string parts included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            for statement in node.body:
                if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
                    docs.add(id(statement.value))
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs]


# How the code words the k rule; with the number written in, each would be a second copy of k.
K_PHRASES = re.compile(r"fewer than 3\b|\bk ?[≥=] ?3\b|\b3 or more (people|members)"
                       r"|at least 3 (people|teammates|members|answers)")


def test_no_code_writes_k_as_a_number() -> None:
    """Docstrings may explain the rule with its number; strings the code prints or compares may not."""
    copies = [f"{path.relative_to(SRC)}:{line}: {text[:60]!r}"
              for path in sorted(SRC.rglob("*.py")) for line, text in code_strings(path)
              if K_PHRASES.search(text)]
    assert copies == []


def test_the_scan_sees_a_copy(tmp_path: Path) -> None:
    """The scan above would find a literal in a plain string and in an f-string, not in a docstring."""
    module = tmp_path / "m.py"
    module.write_text('"""Hidden when fewer than 3 answered."""\n'
                      'A = "fewer than 3"\n'
                      'def f(n: int) -> str:\n'
                      '    """At least 3 people."""\n'
                      '    return f"{n} of them, at least 3 people"\n', encoding="utf-8")
    assert [line for line, text in code_strings(module) if K_PHRASES.search(text)] == [2, 5]


def test_published_names_say_the_k_in_force() -> None:
    """Keys scripts read and the OpenAPI description name k's value; they must say the one in force.

    `signposts_fewer_than_3` (huddle report --json and csv, docs/report.md) and
    `weeks_with_3_or_more` (the org report) are kept as published rather than
    derived, so a script's key never moves under it; were K to change, this
    fails and asks for the rename (and the docs) on purpose.
    """
    assert f"signposts_fewer_than_{K}" in Period._fields
    assert f"`signposts_fewer_than_{K}`" in (ROOT / "docs" / "report.md").read_text(encoding="utf-8")
    assert f"weeks_with_{K}_or_more" in org_report.CSV_COLUMNS
    openapi = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
    org = openapi["paths"]["/v1/org/report"]["get"]["responses"]["200"]["content"]["application/json"]
    schema = org["schema"]["properties"]
    assert schema["k"] == {"const": K}
    assert {"const": FEWER} in schema["org"]["oneOf"]
    assert f"weeks_with_{K}_or_more" in schema["org"]["oneOf"][0]["properties"]["weekly_coverage"]["required"]


def test_distributions_will_need_more_answers_than_means() -> None:
    """The threshold the aggregation work adds sits beside K and is the stricter one."""
    assert K < K_DISTRIBUTION == 5
