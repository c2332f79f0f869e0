"""`huddle pairs make`: a 200-member round made from two years of weekly rounds, as a whole command.

The history is synthetic (104 weekly rounds of random pairs, half the members
marking each one met or skip: ~10,500 record files), written once per run.
Every timed command finds no record for its week, so it reads the history,
imports networkx, matches 200 people and writes the round (`make`: showing a
round writes nothing since reads never write, so it is timed as the write
it always was, and the figure keeps its meaning); the round's file
is removed after each run, outside the timing. Target: ≤ 1 s, quoted beside
its ratio to `python -c "import json"` measured in the same run.
"""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta

from benchmarks.harness import Bench, Figure, paired_runs, wall

MEMBERS = 200
WEEKS = 104
TARGET_S = 1.0
MONDAY = date(2026, 11, 23)


def measure(bench: Bench) -> list[Figure]:
    """Median seconds of the whole command (and its ratio to the floor) for 200 members."""
    from huddle_tui.config.team import load_team_config
    from huddle_tui.pairs import mark_id
    from huddle_tui.rules.pair_figures import round_id
    from huddle_tui.storage.folder import FolderStore

    shared = bench.work / "pairs-200"
    shared.mkdir()
    names = [f"Member {i:03d}" for i in range(MEMBERS)]
    hobbies = ("go", "tea", "jazz")
    members = "".join(f'\n[[members]]\nname = "{n}"\npairs = true\ninterests = ["{hobbies[i % 3]}"]\n'
                      for i, n in enumerate(names))
    config = shared / "huddle.toml"
    config.write_text(f'[team]\nname = "Big"\n\n[pairs]\ncooldown_weeks = 12\n{members}', encoding="utf-8")
    team = load_team_config(config)
    store = FolderStore(shared, durable=False)
    rng = random.Random(7)
    for week in range(WEEKS, 0, -1):
        monday = MONDAY - timedelta(weeks=week)
        order = names[:]
        rng.shuffle(order)
        groups = [order[i:i + 2] for i in range(0, MEMBERS, 2)]
        store.save("pairs", round_id(team, "buddy", monday), monday.isoformat(),
                   {"track": "buddy", "groups": groups, "cooldown": 12}, version=1)
        for name in rng.sample(names, MEMBERS // 2):
            store.save("pairmark", mark_id(team, "buddy", monday, name), monday.isoformat(),
                       {"track": "buddy", "member": name, "mark": rng.choice(("met", "met", "skip"))},
                       version=1)
    made = store.records_dir / "pairs" / MONDAY.isoformat()[:7]
    rid = round_id(team, "buddy", MONDAY)
    env = {**bench.env, "HUDDLE_CONFIG": str(config)}

    def command() -> float:
        """The whole command, then the round it made removed (untimed) for the next run."""
        took = wall(bench.huddle("pairs", "make", "--json", "--date", MONDAY.isoformat()), env)
        for path in made.glob(rid + ".*"):
            path.unlink()
        return took

    p = paired_runs(command, lambda: wall([sys.executable, "-c", "import json"], env), bench.runs)
    return [Figure(f"huddle pairs ({MEMBERS} members, {WEEKS} weeks)", p.a, TARGET_S, unit=" s",
                   note=f'{p.ratio:.1f}× (min {min(p.ratios):.1f}, max {max(p.ratios):.1f}) '
                        f'python -c "import json" ({p.b * 1000:.0f} ms)')]
