"""The folder layout is the pipeline, and imports only flow down it.

programme file -> model (loading, schedule, selection) -> outputs (calendars,
documents, mail, editing) -> output writer / stdout / server, with the CLI on top.
Imports are read with ``ast`` (every ``import``, at module level or inside a
function), so a lazy import cannot hide a wrong direction, nor a circle: no two
modules import each other, however far round. And no module grows past what a
reader takes in: 600 lines, 450 for a module of the command line.
"""

from __future__ import annotations

import ast
from collections.abc import Container, Iterator, Mapping
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
    return imports_in(path.read_text(encoding="utf-8"), _package_of(path))


def import_statements(source: str, package: str) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Each import in ``source`` (a module of ``package``) as (module, names taken from it).

    ``import a.b`` is ``("a.b", ())``; ``from ..x import y, z`` in ``meetctl.model`` is
    ``("meetctl.x", ("y", "z"))``. Every import counts, wherever it is written.
    """
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, ()
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            yield module, tuple(a.name for a in node.names)


def imports_in(source: str, package: str) -> set[str]:
    """Every meetctl module imported by ``source``, a module of ``package``."""
    found: set[str] = set()
    for module, names in import_statements(source, package):
        found.add(module)
        found |= {f"{module}.{name}" for name in names}  # `from meetctl.model import checks`
    return {m for m in found if m == "meetctl" or m.startswith("meetctl.")}


def _package_of(path: Path) -> str:
    name = module_name(path)
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


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


# --------------------------------------------------------------------------- no circles


def _module_of(name: str, modules: Container[str]) -> str | None:
    """The module (file) that the dotted ``name`` is, or is in: its longest prefix that is one."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def dependencies_in(source: str, name: str, package: str, modules: Container[str] = MODULES) -> set[str]:
    """The meetctl modules whose code runs for the imports of module ``name`` (its ``source``, in ``package``).

    Every import counts, lazy, relative or for typing only. ``from meetctl.model import
    checks`` depends on ``meetctl.model.checks`` alone: the package ``__init__`` it passes
    through is the parent of every module in it, which Python imports first anyway, so a
    package's ``__init__`` may import its own modules. ``from meetctl.cli import app``,
    where ``app`` is not a module, depends on that ``__init__`` itself. A module's import
    of itself is not a dependency.
    """
    found: set[str] = set()
    for module, names in import_statements(source, package):
        if module != "meetctl" and not module.startswith("meetctl."):
            continue
        submodules = {f"{module}.{n}" for n in names if f"{module}.{n}" in modules}
        found |= submodules
        if not names or len(submodules) < len(names):  # something from the module itself
            found.add(_module_of(module, modules) or module)
    return found - {name}


def dependencies(path: Path) -> set[str]:
    """:func:`dependencies_in` for the file ``path`` of the package."""
    return dependencies_in(path.read_text(encoding="utf-8"), module_name(path), _package_of(path))


def import_groups(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The groups of two or more modules that import one another, however far round (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


def import_cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """One shortest circle through each of :func:`import_groups`, from its first module: ``[a, b, a]``."""
    cycles = []
    for group in import_groups(graph):
        start, members = group[0], set(group)
        paths = {start: [start]}
        queue = [start]
        while queue:
            node = queue.pop(0)
            for nxt in sorted(graph.get(node, set()) & members):
                if nxt == start:
                    cycles.append(paths[node] + [start])
                    queue = []
                    break
                if nxt not in paths:
                    paths[nxt] = paths[node] + [nxt]
                    queue.append(nxt)
    return cycles


def test_no_import_circle_between_modules():
    graph = {name: dependencies(path) for name, path in MODULES.items()}
    found = [
        f"{', '.join(group)} import one another, e.g. {' -> '.join(cycle)}"
        for group, cycle in zip(import_groups(graph), import_cycles(graph), strict=True)
    ]
    assert not found, "import circles between meetctl modules:\n" + "\n".join(found)


def test_the_circle_finder_finds_circles_and_only_circles():
    """The checker itself: a circle of three is found, once, from its first module; a diamond is no circle."""
    assert import_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert import_groups({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert import_cycles({"a": {"b"}, "b": {"c", "a"}, "c": {"a"}}) == [["a", "b", "a"]]  # the shortest way back
    assert import_cycles({"a": {"b", "c"}, "b": {"d"}, "c": {"d"}, "d": set()}) == []
    assert import_cycles({"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"c"}}) == [["a", "b", "a"], ["c", "d", "c"]]


def test_dependencies_follow_what_python_runs():
    """A package's ``__init__`` importing its own modules is no circle; a name taken from the ``__init__`` is one."""
    modules = {"meetctl.pkg", "meetctl.pkg.app", "meetctl.pkg.reading"}
    init = "from meetctl.pkg.app import app\nfrom . import reading\n"
    assert dependencies_in(init, "meetctl.pkg", "meetctl.pkg", modules) == {"meetctl.pkg.app", "meetctl.pkg.reading"}
    reading = "def f():\n    from . import app\n    from meetctl.pkg.app import run\n"
    assert dependencies_in(reading, "meetctl.pkg.reading", "meetctl.pkg", modules) == {"meetctl.pkg.app"}
    from_init = "from meetctl.pkg import app, helper\n"
    assert dependencies_in(from_init, "meetctl.pkg.reading", "meetctl.pkg", modules) == {"meetctl.pkg.app", "meetctl.pkg"}


# --------------------------------------------------------------------------- sizes

#: The longest a module may be: what a reader takes in whole.
MAX_LINES = 600
#: The command line's modules are shorter still: one family of commands each, options aside.
MAX_CLI_LINES = 450


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_longer_than_a_reader_takes_in(module):
    path = MODULES[module]
    where = path.relative_to(ROOT).as_posix()
    limit = MAX_CLI_LINES if stage(module) == "cli" else MAX_LINES
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= limit, f"{where} has {lines} lines (at most {limit}): split it by concern"


# --------------------------------------------------------------------------- the layout as documented


def _documented_modules() -> set[str]:
    """The modules the tree in docs/development.md names, as `folder/module.py` paths under src/meetctl."""
    text = (ROOT / "docs" / "development.md").read_text(encoding="utf-8")
    tree = text.split("```\nsrc/meetctl/\n", 1)[1].split("```", 1)[0]
    documented, folder = set(), ""
    for line in tree.splitlines():
        name = line.strip().split(" ", 1)[0]
        indent = len(line) - len(line.lstrip(" "))
        if indent == 2:
            folder = name if name.endswith("/") else ""
            if name.endswith(".py"):
                documented.add(name)
        elif indent == 4 and name.endswith(".py"):
            documented.add(folder + name)
    return documented


def test_the_documented_layout_matches_the_tree():
    on_disk = {p.relative_to(ROOT / "src" / "meetctl").as_posix() for p in (ROOT / "src" / "meetctl").rglob("*.py")}
    on_disk = {p for p in on_disk if not p.endswith("__init__.py") or p.startswith("cli/")}
    documented = _documented_modules()
    assert sorted(documented - on_disk) == [], "docs/development.md names modules that are not there"
    assert sorted(on_disk - documented) == [], "modules missing from docs/development.md's layout"
