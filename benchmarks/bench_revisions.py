"""Start-up of `meetctl next` at two revisions, side by side (for changes that must not slow cron).

Run:  python benchmarks/bench_revisions.py OLD_REV [NEW_REV] [--repeat N]

Each revision is checked out into a temporary git worktree and run as
``python -c "from meetctl.__main__ import main; main()"`` with that tree's ``src`` first
on ``sys.path``, interleaved with the trivial Typer app, so both meet the same machine load.
NEW_REV defaults to the working tree itself.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import EXAMPLE, PYTHON, ROOT, baseline_commands, measure_together, print_table  # noqa: E402

RUN = "import sys; sys.path.insert(0, {src!r}); sys.argv[0] = 'meetctl'; from meetctl.__main__ import main; main()"


def tree_of(rev: str | None) -> Path:
    """A checkout of ``rev`` (None: this working tree)."""
    if rev is None:
        return ROOT
    folder = Path(tempfile.mkdtemp(prefix="meetctl-rev-")) / "tree"
    subprocess.run(["git", "worktree", "add", "--detach", "-q", str(folder), rev], cwd=ROOT, check=True)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("old")
    parser.add_argument("new", nargs="?")
    parser.add_argument("--repeat", type=int, default=25)
    args = parser.parse_args()
    trees = {args.old: tree_of(args.old), args.new or "working tree": tree_of(args.new)}
    argv = ["next", "-f", str(EXAMPLE), "--today", "2017-01-01"]
    runs = [*baseline_commands()]
    for name, tree in trees.items():
        runs.append((f"meetctl next at {name}", [PYTHON, "-c", RUN.format(src=str(tree / "src")), *argv]))
    try:
        results = measure_together(runs, args.repeat)
    finally:
        for tree in trees.values():
            if tree != ROOT:
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False)
    print_table("meetctl next at two revisions (ratio against the trivial Typer app)", results, results[1])


if __name__ == "__main__":
    main()
