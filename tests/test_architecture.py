"""The layer rules of STYLE.md, checked on the source with `ast`.

- A module imports only from its own layer or the ones below; siblings (dsl, engine, checks;
  cli and the pytest plugin) do not import each other; nothing imports the root package.
- Third-party modules stay in their place: yaml and jsonschema in dsl/, click and rich in
  cli/, pyarrow in readers/ and only lazily, hypothesis in testing/strategies.py and
  testing/properties.py, pytest in pytest_plugin.py.
- model, engine, dsl, checks, analytics and render never read the clock, randomness, the
  environment, or files, and never print.
- `import customer_journey` stays cheap: none of the heavy optional modules is loaded.
- Packages meet through their faces: no module imports another part's private module.
- No import circle, at module level or inside functions (imports under `TYPE_CHECKING`
  never run and are left out), and no module over 500 lines.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Collection, Iterable, Iterator
from itertools import pairwise
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "customer_journey"

#: Top-level modules that belong to a larger part of the package.
PARTS = {
    "errors": "helpers",
    "_durations": "helpers",
    "_timestamps": "helpers",
    "_suggest": "helpers",
    "_arguments": "helpers",
    "_printable": "helpers",
    "_file_access": "helpers",
    "_display": "helpers",
    "_facts": "helpers",
    "_batch": "journey",
    "_runner": "runner",
    "_workers": "runner",
    "_grouping": "runner",
}

#: Layer rank of each part: a module may import its own part or parts of lower rank.
RANKS = {
    "helpers": 0,
    "model": 1,
    "dsl": 2,
    "engine": 2,
    "checks": 2,
    "readers": 3,
    "runner": 4,
    "journey": 5,
    "analytics": 6,
    "store": 7,
    "spark": 7,
    "render": 7,
    "testing": 8,
    "cli": 9,
    "pytest_plugin": 9,
}

#: Third-party module -> where it may be imported (paths relative to the package).
PLACES = {
    "yaml": ("dsl/",),
    "jsonschema": ("dsl/",),
    "click": ("cli/",),
    "rich": ("cli/",),
    "pyarrow": ("readers/", "spark/"),
    "pyspark": ("spark/",),
    "psycopg": ("store/",),
    "duckdb": ("_grouping.py",),
    "hypothesis": ("testing/strategies.py", "testing/properties.py"),
    "pytest": ("pytest_plugin.py",),
    "_pytest": ("pytest_plugin.py",),
}

#: Only imported inside a function, so that importing their module stays cheap.
LAZY = ("pyarrow", "psycopg", "pyspark", "duckdb")

#: What the render layer may use: it turns results into text and does nothing else.
RENDER_MAY_USE = ("helpers", "model", "engine", "analytics", "render")

PURE = ("model", "engine", "dsl", "checks", "analytics", "render")

#: The longest a module may be: past it, a concept wants splitting.
MAX_LINES = 500

HEAVY = ("pyarrow", "click", "rich", "hypothesis", "pytest", "customer_journey.cli")


def part_of(relative: str) -> str:
    """The layer part a module belongs to: its subpackage, or its own name at the top."""
    first = relative.split("/", maxsplit=1)[0].removesuffix(".py")
    return PARTS.get(first, first)


def module_name(relative: str) -> str:
    """The dotted name of the module at `relative` (to the package)."""
    name = "customer_journey." + relative.removesuffix(".py").replace("/", ".")
    return name.removesuffix(".__init__")


#: Every module of the package, to tell `from package import submodule` from a name.
KNOWN = frozenset(
    module_name(path.relative_to(PACKAGE).as_posix()) for path in PACKAGE.rglob("*.py")
)


class Import(NamedTuple):
    """One module an import statement loads."""

    node: ast.stmt
    name: str  # the absolute name of the module
    at_top: bool  # at module level, not inside a function
    at_runtime: bool  # not under `if TYPE_CHECKING:`, which never runs


def _typing_only(tree: ast.AST) -> set[int]:
    """The ids of the nodes under an `if TYPE_CHECKING:`."""
    found: set[int] = set()
    for node in ast.walk(tree):
        test = getattr(node, "test", None)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in (
            getattr(test, "id", None),
            getattr(test, "attr", None),
        ):
            found.update(id(inner) for statement in node.body for inner in ast.walk(statement))
    return found


def imported(
    module: str, relative: str, tree: ast.AST, known: Collection[str] = KNOWN
) -> Iterator[Import]:
    """Every module the imports in `tree` load (`known`: the package's modules)."""
    package = module if relative.endswith("__init__.py") else module.rsplit(".", 1)[0]
    top_level = {id(node) for node in getattr(tree, "body", [])}
    typing_only = _typing_only(tree)
    for node in ast.walk(tree):
        flags = (id(node) in top_level, id(node) not in typing_only)
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(node, alias.name, *flags)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join([*parts[: len(parts) - node.level + 1], *([base] if base else [])])
            # `from package import name` loads the submodule `name` when there is one
            names = {f"{base}.{alias.name}" for alias in node.names} & set(known)
            if len(names) < len(node.names):
                names.add(base)
            for name in sorted(names):
                yield Import(node, name, *flags)


def layer_violations(relative: str, source: str) -> list[str]:
    """Every broken import rule in one module's source (`relative` to the package)."""
    part = part_of(relative)
    found = []
    if part not in RANKS and relative != "__init__.py":
        found.append(f"{relative}: '{part}' has no layer in RANKS")
    for node, name, at_top, _at_runtime in imported(
        module_name(relative), relative, ast.parse(source)
    ):
        where = f"{relative}:{node.lineno}"
        root = name.split(".")[0]
        if root in PLACES and not relative.startswith(PLACES[root]):
            found.append(f"{where}: imports {root}, allowed only in {', '.join(PLACES[root])}")
        if root in LAZY and at_top:
            found.append(f"{where}: imports {root} at module level; import it where it is used")
        if root != "customer_journey" or relative == "__init__.py":
            continue
        target = part_of(name.split(".")[1]) if "." in name else ""
        if not target:
            found.append(f"{where}: imports the root package; import the defining module")
        elif target not in RANKS:  # a new part of the package: give it a rank above
            found.append(f"{where}: imports '{target}', which has no layer in RANKS")
        elif target != part and part in RANKS and RANKS[target] >= RANKS[part]:
            found.append(
                f"{where}: {part} (layer {RANKS[part]}) imports {target} (layer {RANKS[target]})"
            )
    return found


def render_violations(relative: str, source: str) -> list[str]:
    """Imports of the render layer beyond the results it turns into text (and helpers)."""
    found = []
    for node, name, *_ in imported(module_name(relative), relative, ast.parse(source)):
        parts = name.split(".")
        if parts[0] != "customer_journey" or len(parts) < 2:
            continue
        target = part_of(parts[1])
        if target not in RENDER_MAY_USE:
            found.append(f"{relative}:{node.lineno}: render imports {target}")
    return found


def purity_violations(relative: str, source: str) -> list[str]:
    """Clock, randomness, environment, file and print calls in a module that must be pure."""
    found = []
    for node in ast.walk(ast.parse(source)):
        where = f"{relative}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
            if any(name.split(".")[0] in ("random", "secrets") for name in names):
                found.append(f"{where}: uses randomness")
            if (
                isinstance(node, ast.ImportFrom)
                and node.module == "os"
                and any(alias.name == "environ" for alias in node.names)
            ):
                found.append(f"{where}: reads the environment")
        elif isinstance(node, ast.Attribute):
            owner = (
                node.value.attr
                if isinstance(node.value, ast.Attribute)
                else getattr(node.value, "id", "")
            )
            if node.attr in ("now", "utcnow", "today") and owner in ("datetime", "date"):
                found.append(f"{where}: reads the clock ({owner}.{node.attr})")
            elif node.attr in ("time", "time_ns", "monotonic") and owner == "time":
                found.append(f"{where}: reads the clock (time.{node.attr})")
            elif node.attr in ("environ", "getenv") and owner == "os":
                found.append(f"{where}: reads the environment (os.{node.attr})")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("open", "print")
        ):
            found.append(f"{where}: calls {node.func.id}()")
    return found


def modules() -> list[tuple[str, str]]:
    return sorted(
        (path.relative_to(PACKAGE).as_posix(), path.read_text(encoding="utf-8"))
        for path in PACKAGE.rglob("*.py")
    )


def test_every_module_respects_the_layers_and_third_party_places() -> None:
    found = [v for relative, source in modules() for v in layer_violations(relative, source)]
    assert found == []


def test_render_uses_only_the_model_the_engine_and_the_helpers() -> None:
    found = [
        violation
        for relative, source in modules()
        if part_of(relative) == "render"
        for violation in render_violations(relative, source)
    ]
    assert found == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from customer_journey.cli._output import emit\n", ["render/_x.py:1: render imports cli"]),
        ("from customer_journey.journey import load\n", ["render/_x.py:1: render imports journey"]),
        ("from customer_journey.engine import ReplayResult\n", []),
        ("from customer_journey._durations import describe_duration\n", []),
    ],
)
def test_the_render_check_catches_imports_beyond_results(source: str, expected: list[str]) -> None:
    assert render_violations("render/_x.py", source) == expected


def test_pure_layers_never_touch_the_clock_randomness_environment_files_or_print() -> None:
    found = [
        violation
        for relative, source in modules()
        if part_of(relative) in PURE
        for violation in purity_violations(relative, source)
    ]
    assert found == []


@pytest.mark.parametrize(
    ("relative", "source", "expected"),
    [
        ("model/_x.py", "import yaml\n", "model/_x.py:1: imports yaml, allowed only in dsl/"),
        (
            "readers/_p.py",
            "import pyarrow\n",
            "readers/_p.py:1: imports pyarrow at module level; import it where it is used",
        ),
        (
            "engine/_x.py",
            "from customer_journey.dsl import parse_yaml\n",
            "engine/_x.py:1: engine (layer 2) imports dsl (layer 2)",
        ),
        (
            "model/_x.py",
            "from ..journey import load\n",
            "model/_x.py:1: model (layer 1) imports journey (layer 5)",
        ),
        (
            "testing/_x.py",
            "from customer_journey import load\n",
            "testing/_x.py:1: imports the root package; import the defining module",
        ),
        (
            "testing/_x.py",
            "from customer_journey.reports import x\n",
            "testing/_x.py:1: imports 'reports', which has no layer in RANKS",
        ),
        (
            "dsl/_x.py",
            "import customer_journey\n",
            "dsl/_x.py:1: imports the root package; import the defining module",
        ),
        ("journey.py", "import click\n", "journey.py:1: imports click, allowed only in cli/"),
        ("_new.py", "import os\n", "_new.py: '_new' has no layer in RANKS"),
    ],
)
def test_the_layer_check_catches_each_kind_of_violation(
    relative: str, source: str, expected: str
) -> None:
    assert layer_violations(relative, source) == [expected]


def test_the_layer_check_accepts_lazy_pyarrow_and_lower_layers() -> None:
    source = "from customer_journey.model import Event\ndef f():\n    import pyarrow\n"
    assert layer_violations("readers/_parquet.py", source) == []


def test_a_display_hook_may_not_import_render_from_below() -> None:
    hook = "def _repr_html_(self):\n    from customer_journey.render import x\n"
    assert layer_violations("engine/_x.py", hook) == [
        "engine/_x.py:2: engine (layer 2) imports render (layer 7)"
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from datetime import datetime\ndatetime.now()\n", "reads the clock (datetime.now)"),
        ("import datetime\ndatetime.date.today()\n", "reads the clock (date.today)"),
        ("import time\ntime.time()\n", "reads the clock (time.time)"),
        ("import random\n", "uses randomness"),
        ("import os\nos.environ['X']\n", "reads the environment (os.environ)"),
        ("from os import environ\n", "reads the environment"),
        ("open('f')\n", "calls open()"),
        ("print('x')\n", "calls print()"),
    ],
)
def test_the_purity_check_catches_each_kind_of_impurity(source: str, expected: str) -> None:
    found = purity_violations("engine/_x.py", source)
    assert [violation.split(": ", 1)[1] for violation in found] == [expected]


def test_importing_the_package_loads_no_heavy_module_and_only_the_display_registry() -> None:
    code = "import json, sys; import customer_journey; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = json.loads(done.stdout)
    heavy = [m for m in loaded if any(m == h or m.startswith(h + ".") for h in HEAVY)]
    assert heavy == []
    assert [m for m in loaded if m.startswith("customer_journey.")] == ["customer_journey._display"]


def face_violations(relative: str, source: str) -> list[str]:
    """Imports of another part's private module, past its `__init__` face.

    A part is a subpackage or a top-level module (`_batch.py`, `errors.py`); its public
    submodules (`testing.strategies`) are faces too. Imports under `TYPE_CHECKING` count:
    they tie the code to the private module all the same.
    """
    module = module_name(relative)
    found = []
    for node, name, *_ in imported(module, relative, ast.parse(source)):
        parts = name.split(".")
        face = ".".join(parts[:2])
        own = module.split(".")[:2] == parts[:2]
        private = any(part.startswith("_") for part in parts[2:])
        if parts[0] == "customer_journey" and private and not own:
            what = ", ".join(alias.name for alias in getattr(node, "names", []))
            found.append(
                f"{relative}:{node.lineno}: imports {what} from {name}, private to {face}; "
                f"import it from {face}"
            )
    return found


def import_graph(sources: Iterable[tuple[str, str]]) -> dict[str, dict[str, str]]:
    """Module -> {each module of the package it loads when it runs: where, as file:line}.

    Imports inside functions count (they run sooner or later); `from package import name`
    leads to the package, whose `__init__` runs, unless `name` is a submodule.
    """
    sources = list(sources)
    known = {module_name(relative) for relative, _ in sources}
    graph: dict[str, dict[str, str]] = {}
    for relative, source in sources:
        module = module_name(relative)
        edges = graph.setdefault(module, {})
        for node, name, _at_top, at_runtime in imported(module, relative, ast.parse(source), known):
            if at_runtime and name in known and name != module:
                edges.setdefault(name, f"{relative}:{node.lineno}")
    return graph


def _components(graph: dict[str, dict[str, str]]) -> list[list[str]]:
    """The strongly connected components of `graph` (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, {})):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def _way_round(graph: dict[str, dict[str, str]], members: list[str]) -> list[str]:
    """The shortest circle from the first of `members` back to it, inside `members`."""
    start = members[0]
    previous: dict[str, str] = {}
    queue = [start]
    for node in queue:
        for target in sorted(graph[node]):
            if target == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [*reversed(path), start]
            if target in members and target not in previous:
                previous[target] = node
                queue.append(target)
    raise AssertionError(members)  # a component of two or more always has a circle


def circles(graph: dict[str, dict[str, str]]) -> list[str]:
    """Each import circle: how many modules it holds, then one way round, import by import."""

    def short(module: str) -> str:
        return module.removeprefix("customer_journey.") or "customer_journey"

    found = []
    for members in sorted(_components(graph)):
        if len(members) < 2:
            continue
        path = _way_round(graph, members)
        steps = [f"  {graph[a][b]}: {short(a)} imports {short(b)}" for a, b in pairwise(path)]
        names = ", ".join(short(member) for member in members)
        head = f"{len(members)} modules import each other in a circle ({names}); one way round:"
        found.append("\n".join([head, *steps]))
    return found


def test_packages_import_each_other_only_through_their_faces() -> None:
    found = [v for relative, source in modules() for v in face_violations(relative, source)]
    assert found == []


def test_no_modules_import_each_other_in_a_circle() -> None:
    found = circles(import_graph(modules()))
    assert found == [], "\n".join(found)


def test_no_module_is_over_500_lines() -> None:
    found = [
        f"{relative}: {count} lines"
        for relative, source in modules()
        if (count := len(source.splitlines())) > MAX_LINES
    ]
    assert found == []


@pytest.mark.parametrize(
    ("relative", "source", "expected"),
    [
        (
            "cli/_x.py",
            "from customer_journey.render._escape import printable\n",
            [
                "cli/_x.py:1: imports printable from customer_journey.render._escape, private "
                "to customer_journey.render; import it from customer_journey.render"
            ],
        ),
        (
            "journey.py",
            "def f():\n    from .engine import _replay\n",
            [
                "journey.py:2: imports _replay from customer_journey.engine._replay, private "
                "to customer_journey.engine; import it from customer_journey.engine"
            ],
        ),
        ("engine/_x.py", "from customer_journey.engine._replay import fold\n", []),
        ("engine/_x.py", "from ._replay import fold\n", []),
        ("cli/_x.py", "from customer_journey._batch import ReplayBatch\n", []),
        ("testing/_x.py", "from customer_journey.dsl.limits import MAX_STAGES\n", []),
        ("cli/_x.py", "from customer_journey.render import printable\n", []),
    ],
)
def test_the_face_check_catches_imports_of_another_parts_private_module(
    relative: str, source: str, expected: list[str]
) -> None:
    assert face_violations(relative, source) == expected


#: A small package: engine, render and analytics import each other round through a
#: display hook, two dsl modules import each other, and readers and journey do not.
CIRCLE = [
    ("__init__.py", ""),
    ("engine/__init__.py", "from customer_journey.engine._result import Result\n"),
    (
        "engine/_result.py",
        "class Result:\n"
        "    def _repr_html_(self):\n"
        "        from customer_journey.render import result_html\n",
    ),
    ("render/__init__.py", "from customer_journey.render._analysis import text\n"),
    ("render/_analysis.py", "from customer_journey.analytics import Analysis\n"),
    ("analytics/__init__.py", "from customer_journey.engine import Result\n"),
    ("dsl/_a.py", "from . import _b\n"),
    ("dsl/_b.py", "import customer_journey.dsl._a\n"),
    ("readers/__init__.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import x\n"),
    ("journey.py", "from customer_journey import readers\n"),
]


def test_the_circle_check_shows_each_circle_one_import_at_a_time() -> None:
    assert circles(import_graph(CIRCLE)) == [
        "5 modules import each other in a circle "
        "(analytics, engine, engine._result, render, render._analysis); one way round:\n"
        "  analytics/__init__.py:1: analytics imports engine\n"
        "  engine/__init__.py:1: engine imports engine._result\n"
        "  engine/_result.py:3: engine._result imports render\n"
        "  render/__init__.py:1: render imports render._analysis\n"
        "  render/_analysis.py:1: render._analysis imports analytics",
        "2 modules import each other in a circle (dsl._a, dsl._b); one way round:\n"
        "  dsl/_a.py:1: dsl._a imports dsl._b\n"
        "  dsl/_b.py:1: dsl._b imports dsl._a",
    ]


def test_the_circle_check_ignores_imports_that_never_run() -> None:
    typing_only = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import journey\n"
    package = [*CIRCLE[-2:], ("readers/__init__.py", typing_only)]
    assert circles(import_graph(package)) == []


def test_a_package_importing_its_submodules_is_no_circle() -> None:
    package = [
        ("engine/__init__.py", "from customer_journey.engine._replay import fold\n"),
        ("engine/_replay.py", "from customer_journey.engine._state import State\n"),
        ("engine/_state.py", ""),
    ]
    assert circles(import_graph(package)) == []
