"""Install size: what `pip install meetctl` puts in a fresh virtual environment.

Run:  python benchmarks/bench_install.py [--before REV] [--repeat N]

Three fresh venvs: this tree's base install, this tree with every extra
(``.[all]``), and with ``--before REV`` that revision's install (its files taken with
``git archive``). For each: the size of site-packages, the packages ``pip list``
shows (pip, setuptools and meetctl included), the ``.pth`` files in it (each runs at
every Python start), and the start-up of ``python -c pass`` in that venv, interleaved
with a venv that holds nothing (a ``.pth`` that imports a package shows up there).
Issue 14's target: a base install of at most 150 MB, with no ``.pth`` of its own and
no package that replaces another.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import ROOT, measure_together  # noqa: E402


def tree_of(rev: str) -> Path:
    """A copy of ``rev``'s files from ``git archive`` (the repository is not touched)."""
    data = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True, capture_output=True).stdout
    folder = Path(tempfile.mkdtemp(prefix="meetctl-rev-")) / "tree"
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def venv_with(folder: Path, requirement: str | None) -> Path:
    """A fresh venv in ``folder`` with ``requirement`` pip-installed; its python."""
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    python = folder / "bin" / "python"
    if requirement:
        subprocess.run([python, "-m", "pip", "install", "-q", requirement], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    return python


def site_packages(python: Path) -> Path:
    out = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         check=True, capture_output=True, text=True).stdout  # fmt: skip
    return Path(out.strip())


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


def packages(python: Path) -> list[str]:
    out = subprocess.run([python, "-m", "pip", "list", "--format=freeze"], check=True, capture_output=True,
                         text=True).stdout  # fmt: skip
    return [line.split("==")[0] for line in out.splitlines() if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", metavar="REV")
    parser.add_argument("--repeat", type=int, default=25)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="meetctl-install-"))
    installs = {"empty venv": venv_with(work / "empty", None)}
    if args.before:
        installs[f"{args.before}"] = venv_with(work / "before", str(tree_of(args.before)))
    installs["this tree"] = venv_with(work / "base", str(ROOT))
    installs["this tree [all]"] = venv_with(work / "all", f"{ROOT}[all]")

    print("| install | site-packages | packages | .pth files | replaces urllib3? |")
    print("|---|---|---|---|---|")
    for name, python in installs.items():
        site = site_packages(python)
        names = packages(python)
        pth = ", ".join(sorted(p.name for p in site.glob("*.pth"))) or "none"
        replaced = "yes (urllib3-future)" if "urllib3-future" in names else "no"
        print(f"| {name} | {size_mb(site):.0f} MB | {len(names)} | {pth} | {replaced} |", flush=True)

    timed = measure_together([(f"python -c pass in {name}", [str(p), "-c", "pass"]) for name, p in installs.items()],
                             args.repeat)  # fmt: skip
    empty = timed[0].median_s
    print("\n| run | median | ratio to the empty venv |")
    print("|---|---|---|")
    for m in timed:
        print(f"| {m.name} | {m.median_s * 1000:.0f} ms | {m.median_s / empty:.2f}x |")


if __name__ == "__main__":
    main()
