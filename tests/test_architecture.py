"""The package's layers go one way, and no import cycle hides behind an import inside a function.

The import graph is built from the source (every `import`, top level or inside a function),
so a cycle held together by a deferred import fails here just like a top-level one. The layer
table is the one in docs/developers/architecture.md: a module may import its own layer and the
layers below it, never one above.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "validator"

# Lowest first. A module belongs to the first entry that is it or one of its parents.
LAYERS = (
    ("basics", ("validator", "validator.findings", "validator.tables", "validator.standard",
                "validator.values", "validator.rules", "validator.report_schema", "validator.published",
                "validator.versions", "validator.settings")),
    ("fields", ("validator.fields",)),
    ("reading", ("validator.reading",)),
    ("checks", ("validator.checks",)),
    ("engine", ("validator.catalogue", "validator.engine", "validator.api")),
    ("render", ("validator.render",)),
    ("county", ("validator.county",)),
    ("ledger", ("validator.ledger",)),
    ("outputs", ("validator.outputs",)),
    ("builders", ("validator.builders",)),
    ("commands", ("validator.commands", "validator.cli", "validator.__main__")),
)  # fmt: skip
# What also runs in the browser: it must not reach the command line, builders or clerk outputs.
BROWSER_CORE = ("basics", "fields", "reading", "checks", "engine", "render", "county", "ledger")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path = PACKAGE) -> dict[str, Path]:
    return {module_name(p): p for p in sorted(root.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Every validator module `name` imports, wherever the import statement stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + [base])
                base = base.rstrip(".")
            # `from validator.checks import rows` imports the module validator.checks.rows
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    found = modules(root)
    known = set(found)
    # Python runs a package's __init__ before its submodules; that implicit step is not an
    # edge here, so a package that re-exports its submodules' names is not a cycle.
    return {name: imports_of(name, path, known) for name, path in found.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first == last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def layer_of(name: str) -> str:
    best = None
    for layer, prefixes in LAYERS:
        for prefix in prefixes:
            if (name == prefix or name.startswith(prefix + ".")) and (best is None or len(prefix) > best[1]):
                best = (layer, len(prefix))
    if best is None:
        raise AssertionError(f"{name} is in no layer: add it to LAYERS and to the architecture page")
    return best[0]


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    rank = {layer: i for i, (layer, _) in enumerate(LAYERS)}
    bad = []
    for name, targets in sorted(graph.items()):
        for target in sorted(targets):
            if name.startswith(target + ".") or target == "validator":
                continue  # a package's own __init__ (or the version) comes first
            if rank[layer_of(target)] > rank[layer_of(name)]:
                bad.append(f"{name} ({layer_of(name)}) imports {target} ({layer_of(target)})")
    return bad


def test_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle)


def test_layers_go_one_way():
    assert layer_violations(import_graph()) == []


def test_browser_core_stays_out_of_commands_builders_and_outputs():
    graph = import_graph()
    core = [n for n in graph if layer_of(n) in BROWSER_CORE]
    reach: dict[str, set[str]] = {}
    for start in core:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        reach[start] = {n for n in seen if layer_of(n) not in BROWSER_CORE}
    assert {k: v for k, v in reach.items() if v} == {}


def test_every_module_has_a_layer():
    for name in modules():
        layer_of(name)


@pytest.mark.parametrize(
    "files, cycle",
    [
        ({"a.py": "from validator import b\n", "b.py": "def f():\n    from validator import a\n"}, True),
        ({"a.py": "from validator import b\n", "b.py": "import json\n"}, False),
        (
            {
                "c/__init__.py": "",
                "c/x.py": "from validator.c import y\n",
                "c/y.py": "import validator.c.x\n",
            },
            True,
        ),
        ({"c/__init__.py": "from validator.c.x import f\n", "c/x.py": "def f():\n    pass\n"}, False),
    ],
)
def test_the_cycle_finder_sees_deferred_imports(tmp_path, files, cycle):
    """The guard itself: a cycle closed by an import inside a function is found."""
    pkg = tmp_path / "validator"
    for rel, text in {"__init__.py": "", **files}.items():
        (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
        (pkg / rel).write_text(text)
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        assert (find_cycle(import_graph(pkg)) is not None) is cycle
    finally:
        ROOT = saved


def test_the_command_line_starts_without_the_heavy_libraries():
    """`fpjc --help` and argument parsing load no workbook or template library: each command
    imports what it needs when it runs (a cold `fpjc validate x.csv` should not pay for openpyxl)."""
    import subprocess
    import sys

    code = (
        "import sys, validator.cli\n"
        "validator.cli.build_parser()\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'openpyxl', 'jinja2', 'yaml'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
