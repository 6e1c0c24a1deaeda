"""The folder layout is the pipeline, and imports only flow down it.

programme file -> model (loading, schedule, selection) -> outputs (calendars,
documents, mail, editing) -> output writer / stdout / server, with the CLI on top.
Imports are read with ``ast`` (every ``import``, at module level or inside a
function), so a lazy import cannot hide a wrong direction.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "src" / "meetctl"
OUTPUT_STAGES = ("calendars", "documents", "mail", "editing")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Every meetctl module that ``path`` imports, anywhere in it."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    return imports_in(path.read_text(encoding="utf-8"), package)


def imports_in(source: str, package: str) -> set[str]:
    """Every meetctl module imported by ``source``, a module of ``package``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found |= {f"{module}.{a.name}" for a in node.names}  # `from meetctl.model import checks`
    return {m for m in found if m == "meetctl" or m.startswith("meetctl.")}


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _within(imported: str, stages: tuple[str, ...]) -> bool:
    return stage(imported) in stages or imported == "meetctl"


@pytest.mark.parametrize("module", [m for m in MODULES if stage(m) == "model"])
def test_the_model_imports_only_the_model(module):
    wrong = {m for m in imported_modules(MODULES[module]) if not _within(m, ("model",))}
    assert not wrong, f"{module} (the model) imports {sorted(wrong)}"


@pytest.mark.parametrize("module", [m for m in MODULES if stage(m) in OUTPUT_STAGES + ("output",)])
def test_outputs_never_import_the_command_line(module):
    wrong = {m for m in imported_modules(MODULES[module]) if stage(m) in ("cli", "__main__")}
    assert not wrong, f"{module} imports the command line: {sorted(wrong)}"


def test_the_output_writer_stands_on_the_model_alone():
    wrong = {m for m in imported_modules(MODULES["meetctl.output"]) if not _within(m, ("model",))}
    assert not wrong


def test_only_the_entry_point_imports_the_command_line():
    importers = {name for name, path in MODULES.items() if "meetctl.cli" in imported_modules(path)}
    assert importers == {"meetctl.__main__"}


def test_mail_and_calendars_do_not_reach_into_documents_or_editing():
    for name, path in MODULES.items():
        if stage(name) in ("mail", "calendars"):
            wrong = {m for m in imported_modules(path) if stage(m) in ("documents", "editing")}
            assert not wrong, f"{name} imports {sorted(wrong)}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_module_says_what_it_is(module):
    doc = ast.get_docstring(ast.parse(MODULES[module].read_text(encoding="utf-8")))
    assert doc and len(doc.split()) >= 5, f"{module} has no docstring saying its stage"


def test_the_import_walker_sees_lazy_and_relative_imports():
    """The checker itself: an import inside a function counts, and so does a relative one."""
    assert "meetctl.model.publicholidays" in imported_modules(PACKAGE / "model" / "schedule.py")  # lazy
    assert "meetctl.cli" in imports_in("def f():\n    from meetctl.cli import app\n", "meetctl.model")
    assert "meetctl.cli" in imports_in("from ..cli import app\n", "meetctl.model")
    assert "meetctl.documents.flyers" in imports_in("from meetctl.documents import flyers\n", "meetctl.cli")
