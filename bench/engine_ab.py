"""The full analysis of this checkout against another one, run alternately in one session.

    git worktree add /tmp/old d7fee49          # the code to compare with
    .venv/bin/python -m bench.engine_ab /tmp/old --rounds 6

Each round starts one process per side (old, then new, alternating), and each process
times engine.score over the same drawn answer sets, scored with the OTHER side's catalogue
files (data/ of the old checkout), so both engines do the same work. Prints each round's
medians and the ratio new / old, whose median is the figure to quote.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]

CHILD = r"""
import statistics, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[2])  # the bench package of the old checkout draws the sets
from bench.answers import draws
from cm_advisor.catalogue import load_catalogue
from cm_advisor import engine
data = Path(sys.argv[1])
cat = load_catalogue(data / "models.yaml", data / "questionnaire.yaml")
sets = draws(cat, 500)
for d in sets[:200]:
    engine.score(cat, d.answers, d.weights, d.population)
times = []
for i in range(int(sys.argv[3])):
    d = sets[i % len(sets)]
    start = time.perf_counter_ns()
    engine.score(cat, d.answers, d.weights, d.population)
    times.append((time.perf_counter_ns() - start) / 1000)
print(statistics.median(times))
"""


def median_us(source: Path, data: Path, old: Path, calls: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(source / "src")}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(data), str(old), str(calls)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path, help="a checkout of the code to compare with")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    old = args.old.resolve()
    data = old / "data"
    ratios = []
    for r in range(args.rounds):
        before = median_us(old, data, old, args.calls)
        after = median_us(HERE, data, old, args.calls)
        ratio = after / before
        ratios.append(ratio)
        print(f"round {r + 1}: old {before:7.1f} µs  new {after:7.1f} µs  new/old {ratio:.2f}")
    print(f"median new/old over {args.rounds} rounds: {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
