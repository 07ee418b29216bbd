"""The house rules (docs/architecture.md): modules a reader holds at once, and
imports that point one way.

- No module in ``scheduler/`` is over 500 lines, and at most five are over 300
  (the codebases the project follows keep typical modules at 90-250 lines).
- No import circle between modules (``KNOWN_CIRCLES`` is empty).
- The packages depend on each other in one direction: the layers of
  docs/architecture.md.
- pyproject.toml lists every package folder (the build maps ``alembic/`` into
  the package, so setuptools cannot find the packages by itself).

Imports under ``if TYPE_CHECKING:`` count. They do not run, so they cannot
break an import, but a type named in a signature is still a dependency: a
module whose annotations name a class of the module that imports it is half
of a circle a reader has to hold, and hiding it from the interpreter does not
hide it from the reader. (grimp reads them by default:
``exclude_type_checking_imports=False``.)
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "scheduler"

MAX_LINES = 500
LONG_LINES = 300
MAX_LONG_MODULES = 5

# No circle is accepted. (The sandbox's two were resolved by giving each
# platform's stand-in one base module that its endpoint modules use and that
# imports none of them: platforms/<key>/sandbox/base.py.) A circle that would
# have to be accepted goes here, named, until it is resolved.
KNOWN_CIRCLES: tuple[frozenset[str], ...] = ()

# From the entry points down to the errors; a package may import only from the
# layers below its own. Packages in one set are independent: neither imports
# the other.
# The platforms sit below config: config, the content checks and the store ask
# their registry (which platforms exist, how each counts a text, its aliases),
# and nothing in platforms/ reads config.yaml (docs/architecture.md).
LAYERS = (
    "cli",
    "web",
    {"daemon", "campaigns"},
    {"alerts", "withdrawal"},
    "tokens",
    {"storage", "sandbox"},
    "content",
    "config",
    "platforms",
    "clock",
    {"yamlsafe", "files", "alert_settings"},
    {"errors", "printable", "validation_words"},
)


def line_counts(folder: Path) -> dict[str, int]:
    """Lines of each Python module under ``folder`` (as ``wc -l`` counts them),
    by path relative to ``folder``'s parent."""
    return {
        str(path.relative_to(folder.parent)): len(path.read_bytes().splitlines())
        for path in sorted(folder.rglob("*.py"))
    }


def circles(graph: grimp.ImportGraph) -> list[frozenset[str]]:
    """The import circles of ``graph``: each set of modules that import one
    another, directly or not (the strongly connected components of more than one
    module, by Tarjan's algorithm)."""
    order: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    found: list[frozenset[str]] = []

    def visit(module: str) -> None:
        order[module] = lowest[module] = len(order)
        stack.append(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in order:
                visit(imported)
                lowest[module] = min(lowest[module], lowest[imported])
            elif imported in stack:
                lowest[module] = min(lowest[module], order[imported])
        if lowest[module] == order[module]:
            component = {stack.pop()}
            while module not in component:
                component.add(stack.pop())
            if len(component) > 1:
                found.append(frozenset(component))

    for module in sorted(graph.modules):
        if module not in order:
            visit(module)
    return found


def describe(graph: grimp.ImportGraph, circle: Iterable[str]) -> str:
    """One loop through ``circle``, as ``a -> b -> a``."""
    first, *others = sorted(circle)
    for other in others:
        there = graph.find_shortest_chain(importer=first, imported=other)
        back = graph.find_shortest_chain(importer=other, imported=first)
        if there and back:
            return " -> ".join([*there, *back[1:]])
    return ", ".join(sorted(circle))  # pragma: no cover - a circle always loops


def unexpected_circles(
    found: list[frozenset[str]], known: Iterable[frozenset[str]]
) -> tuple[list[frozenset[str]], list[frozenset[str]]]:
    """(circles outside every known one, known circles that are gone)."""
    known = list(known)
    new = [circle for circle in found if not any(circle <= allowed for allowed in known)]
    gone = [allowed for allowed in known if not any(circle <= allowed for circle in found)]
    return new, gone


def import_graph(package: str) -> grimp.ImportGraph:
    """The import graph of ``package``, imports under TYPE_CHECKING included; no
    cache written (grimp's would land in the working folder)."""
    return grimp.build_graph(package, exclude_type_checking_imports=False, cache_dir=None)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return import_graph("scheduler")


def test_no_module_is_over_500_lines_and_at_most_five_over_300() -> None:
    sizes = line_counts(PACKAGE)
    too_long = {path: lines for path, lines in sizes.items() if lines > MAX_LINES}
    assert not too_long, f"split these along their seams (at most {MAX_LINES} lines): {too_long}"
    long = {path: lines for path, lines in sizes.items() if lines > LONG_LINES}
    assert len(long) <= MAX_LONG_MODULES, (
        f"{len(long)} modules are over {LONG_LINES} lines, at most {MAX_LONG_MODULES} may be: "
        f"{dict(sorted(long.items(), key=lambda item: -item[1]))}"
    )


def test_the_size_rule_sees_a_501_line_module(tmp_path: Path) -> None:
    folder = tmp_path / "package"
    (folder / "inner").mkdir(parents=True)
    (folder / "inner" / "big.py").write_text("x = 1\n" * 501)
    (folder / "small.py").write_text("x = 1\n" * 500)
    assert line_counts(folder) == {"package/inner/big.py": 501, "package/small.py": 500}


def test_no_import_circle_but_the_known_ones(graph: grimp.ImportGraph) -> None:
    new, gone = unexpected_circles(circles(graph), KNOWN_CIRCLES)
    assert not new, "import circles (move the shared part down a layer):\n" + "\n".join(
        describe(graph, circle) for circle in new
    )
    assert not gone, f"these circles are gone: remove them from KNOWN_CIRCLES: {gone}"


def test_the_circle_rule_sees_a_new_circle_and_a_resolved_one() -> None:
    graph = grimp.ImportGraph()
    for importer, imported in [("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d")]:
        graph.add_import(importer=importer, imported=imported)
    graph.add_import(importer="p.x", imported="p.y")
    graph.add_import(importer="p.y", imported="p.x")
    found = circles(graph)
    assert sorted(map(sorted, found)) == [["p.a", "p.b", "p.c"], ["p.x", "p.y"]]
    assert describe(graph, {"p.a", "p.b", "p.c"}) == "p.a -> p.b -> p.c -> p.a"
    known = [frozenset({"p.a", "p.b", "p.c", "p.e"}), frozenset({"p.q", "p.r"})]
    assert unexpected_circles(found, known) == ([frozenset({"p.x", "p.y"})], [known[1]])


def test_imports_under_type_checking_count(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "typed_circle"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "api.py").write_text("from typed_circle import posts\n")
    (package / "posts.py").write_text(
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from typed_circle import api\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    found = circles(import_graph("typed_circle"))
    assert found == [frozenset({"typed_circle.api", "typed_circle.posts"})]


def test_every_package_has_a_layer(graph: grimp.ImportGraph) -> None:
    layered = {name for layer in LAYERS for name in ([layer] if isinstance(layer, str) else layer)}
    children = {module.removeprefix("scheduler.") for module in graph.find_children("scheduler")}
    assert children - {"__main__"} == layered, "give each package its place in LAYERS"


def test_the_packages_depend_on_each_other_one_way(graph: grimp.ImportGraph) -> None:
    illegal = graph.find_illegal_dependencies_for_layers(layers=LAYERS, containers={"scheduler"})
    routes = sorted(
        f"{dependency.importer} -> {dependency.imported}, by "
        + " | ".join(
            " -> ".join(
                [",".join(sorted(route.heads)), *route.middle, ",".join(sorted(route.tails))]
            )
            for route in dependency.routes
        )
        for dependency in illegal
    )
    assert not illegal, "imports against the layers (docs/architecture.md):\n" + "\n".join(routes)


def test_pyproject_lists_every_package_folder() -> None:
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = {
        ".".join(path.relative_to(ROOT).parts)
        for path in [PACKAGE, *PACKAGE.rglob("*")]
        if path.is_dir()
        and "__pycache__" not in path.parts
        and any(child.is_file() for child in path.iterdir())
    }
    migrations = {"scheduler.storage.migrations", "scheduler.storage.migrations.versions"}
    assert set(settings["packages"]) == folders | migrations
    assert settings["package-dir"] == {"scheduler.storage.migrations": "alembic"}
    # A package file in alembic/ would make `import alembic` find our folder
    # instead of the library whenever the repository root is on sys.path.
    assert not list((ROOT / "alembic").rglob("__init__.py"))
