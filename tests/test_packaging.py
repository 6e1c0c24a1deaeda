"""The packages meetctl is shipped as: a complete sdist (tests that run from it), a wheel, metadata twine accepts.

One build per test session (``python -m build --no-isolation``, with the setuptools of
the test extra), then its files are compared with what git tracks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(not (ROOT / ".git").exists(), reason="compares the packages with git's files")


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An sdist and a wheel built from a clean copy of the tracked files (as CI builds them)."""
    work = tmp_path_factory.mktemp("build")
    source = work / "source"
    tracked = _tracked()
    for name in tracked:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    out = work / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return out


def _tracked() -> list[str]:
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], check=True, capture_output=True).stdout
    return [name for name in listed.decode().split("\0") if name and (ROOT / name).is_file()]


def _sdist_files(dist: Path) -> set[str]:
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as tar:
        return {m.name.split("/", 1)[1] for m in tar.getmembers() if m.isfile() and "/" in m.name}


def test_the_sdist_holds_every_tracked_file_but_gits_own(dist):
    files = _sdist_files(dist)
    missing = sorted(set(_tracked()) - files - {".gitignore"})
    assert missing == []
    assert {"README.md", "LICENSE", "docs/meetctl.1", "docs/schemas/list.schema.json", "examples/branch.toml"} <= files
    assert not any("node_modules" in f or "__pycache__" in f for f in files)


def test_the_wheel_has_the_templates_compiled_catalogues_and_the_licence(dist):
    (wheel,) = dist.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"meetctl/py.typed", "meetctl/documents/locales/fr.mo", "meetctl/documents/templates/flyer.html.j2"} <= names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "License-Expression: MIT" in text and "Classifier: Environment :: Console" in text


def test_twine_accepts_the_metadata(dist):
    result = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *map(str, dist.iterdir())],
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_tests_run_from_the_unpacked_sdist(dist, tmp_path):
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as tar:
        tar.extractall(tmp_path, filter="data")
    (tree,) = tmp_path.iterdir()
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_docs.py", "tests/test_layout.py",
         "tests/test_conventions.py", "-k", "not man_reads"],
        cwd=tree, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:]
    assert " passed" in result.stdout and "error" not in result.stdout.splitlines()[-1]


def test_the_build_floor_is_the_setuptools_that_reads_the_licence_expression():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["build-system"]["requires"] == ["setuptools>=77"]
    assert pyproject["project"]["license"] == "MIT" and pyproject["project"]["license-files"] == ["LICENSE"]
    assert not any(c.startswith("License ::") for c in pyproject["project"]["classifiers"])  # PEP 639: not both
