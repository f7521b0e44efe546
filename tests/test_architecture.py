"""The layer rules of STYLE.md, checked on the source with `ast`.

- A module imports only from its own layer or the ones below; siblings (dsl, engine, checks;
  cli and the pytest plugin) do not import each other; nothing imports the root package.
- Third-party modules stay in their place: yaml and jsonschema in dsl/, click and rich in
  cli/, pyarrow in readers/ and only lazily, hypothesis in testing/strategies.py and
  testing/properties.py, pytest in pytest_plugin.py.
- model, engine, dsl, checks, analytics and render never read the clock, randomness, the
  environment, or files, and never print.
- `import customer_journey` stays cheap: none of the heavy optional modules is loaded.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

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
    "_batch": "journey",
}

#: Layer rank of each part: a module may import its own part or parts of lower rank.
RANKS = {
    "helpers": 0,
    "model": 1,
    "dsl": 2,
    "engine": 2,
    "checks": 2,
    "readers": 3,
    "journey": 4,
    "analytics": 5,
    "render": 6,
    "testing": 7,
    "cli": 8,
    "pytest_plugin": 8,
}

#: Third-party module -> where it may be imported (paths relative to the package).
PLACES = {
    "yaml": ("dsl/",),
    "jsonschema": ("dsl/",),
    "click": ("cli/",),
    "rich": ("cli/",),
    "pyarrow": ("readers/",),
    "hypothesis": ("testing/strategies.py", "testing/properties.py"),
    "pytest": ("pytest_plugin.py",),
    "_pytest": ("pytest_plugin.py",),
}

#: Only imported inside a function, so that importing their module stays cheap.
LAZY = ("pyarrow",)

#: What the render layer may use: it turns results into text and does nothing else.
RENDER_MAY_USE = ("helpers", "model", "engine", "analytics", "render")

PURE = ("model", "engine", "dsl", "checks", "analytics", "render")

#: Notebook display hooks of objects below render (a journey, a result, an analysis) may
#: import render inside their body: the one upward import, made only when Jupyter asks.
DISPLAY_HOOKS = ("_repr_html_", "_repr_markdown_")
HEAVY = ("pyarrow", "click", "rich", "hypothesis", "pytest", "customer_journey.cli")


def part_of(relative: str) -> str:
    """The layer part a module belongs to: its subpackage, or its own name at the top."""
    first = relative.split("/", maxsplit=1)[0].removesuffix(".py")
    return PARTS.get(first, first)


def imported(module: str, relative: str, tree: ast.AST) -> Iterator[tuple[ast.stmt, str, bool]]:
    """(node, absolute module name, is at module level) for every import in `tree`."""
    package = module.rsplit(".", 1)[0] if not relative.endswith("__init__.py") else module
    top_level = {id(node) for node in getattr(tree, "body", [])}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name, id(node) in top_level
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            if name == "customer_journey":
                # `from customer_journey import x` names a submodule or a re-exported name
                for alias in node.names:
                    known = alias.name in RANKS or alias.name in PARTS
                    sub = f".{alias.name}" if known else ""
                    yield node, f"customer_journey{sub}", id(node) in top_level
            else:
                yield node, name, id(node) in top_level


def layer_violations(relative: str, source: str) -> list[str]:
    """Every broken import rule in one module's source (`relative` to the package)."""
    module = "customer_journey." + relative.removesuffix(".py").replace("/", ".")
    module = module.removesuffix(".__init__")
    tree = ast.parse(source)
    part = part_of(relative)
    in_display_hooks = {
        id(inner)
        for outer in ast.walk(tree)
        if isinstance(outer, ast.FunctionDef) and outer.name in DISPLAY_HOOKS
        for inner in ast.walk(outer)
    }
    found = []
    for node, name, at_top in imported(module, relative, tree):
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
        elif target == "render" and id(node) in in_display_hooks:
            continue
        elif target != part and RANKS[target] >= RANKS[part]:
            found.append(
                f"{where}: {part} (layer {RANKS[part]}) imports {target} (layer {RANKS[target]})"
            )
    return found


def render_violations(relative: str, source: str) -> list[str]:
    """Imports of the render layer beyond the results it turns into text (and helpers)."""
    module = "customer_journey." + relative.removesuffix(".py").replace("/", ".")
    found = []
    for node, name, _at_top in imported(module, relative, ast.parse(source)):
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
            "model/_x.py:1: model (layer 1) imports journey (layer 4)",
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
    ],
)
def test_the_layer_check_catches_each_kind_of_violation(
    relative: str, source: str, expected: str
) -> None:
    assert layer_violations(relative, source) == [expected]


def test_the_layer_check_accepts_lazy_pyarrow_and_lower_layers() -> None:
    source = "from customer_journey.model import Event\ndef f():\n    import pyarrow\n"
    assert layer_violations("readers/_parquet.py", source) == []


def test_only_a_display_hook_may_import_render_from_below() -> None:
    hook = "def _repr_html_(self):\n    from customer_journey.render import x\n"
    other = "def describe(self):\n    from customer_journey.render import x\n"
    assert layer_violations("engine/_x.py", hook) == []
    assert layer_violations("engine/_x.py", other) == [
        "engine/_x.py:2: engine (layer 2) imports render (layer 6)"
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


def test_importing_the_package_loads_no_heavy_module() -> None:
    code = "import json, sys; import customer_journey; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = json.loads(done.stdout)
    heavy = [m for m in loaded if any(m == h or m.startswith(h + ".") for h in HEAVY)]
    assert heavy == []
