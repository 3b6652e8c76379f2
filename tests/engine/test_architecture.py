"""The engine's structure, checked from its source: no import cycle, the views apart from the
training core, no private attribute read from outside, `engine` never importing `server`."""
import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "engine"
VIEWS = ("panel_data", "explain", "health", "trace_export")  # what a person reads, off the step path
CORE = ("training", "network", "stats", "recorder", "optimizers", "regularization", "steps")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """The engine modules a file imports (relative imports resolved)."""
    package = module_name(path).split(".") if path.name == "__init__.py" else module_name(path).split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


GRAPH = {module_name(p): imports_of(p) for p in ENGINE.rglob("*.py")}
MODULES = set(GRAPH)


def edges(module: str) -> set[str]:
    """Engine modules (not packages' __init__ re-exports) that `module` imports."""
    return {m for m in GRAPH[module] & MODULES if m != module and m != "engine"}


def test_the_engine_import_graph_has_no_cycle():
    state = {}

    def visit(module, path):
        if state.get(module) == "done":
            return
        assert state.get(module) != "open", f"import cycle: {' -> '.join(path + [module])}"
        state[module] = "open"
        for target in sorted(edges(module)):
            visit(target, path + [module])
        state[module] = "done"

    for module in sorted(MODULES):
        visit(module, [])


def reaches(module: str) -> set[str]:
    seen, todo = set(), [module]
    while todo:
        for target in edges(todo.pop()) - seen:
            seen.add(target)
            todo.append(target)
    return seen


@pytest.mark.parametrize("core", CORE)
def test_the_training_core_never_reaches_the_views(core):
    assert not {f"engine.{view}" for view in VIEWS} & reaches(f"engine.{core}")


@pytest.mark.parametrize("view", VIEWS)
def test_the_views_read_the_trainer_without_importing_it(view):
    assert not {"engine.training", "engine.trainer"} & reaches(f"engine.{view}")


def test_engine_never_imports_server():
    assert not any(name == "server" or name.startswith("server.") for names in GRAPH.values() for name in names)


@pytest.mark.parametrize("folder", ["engine", "server", "bench"])
def test_nothing_reads_a_private_attribute_of_the_trainer(folder):
    pattern = re.compile(r"\b(trainer|self\.trainer|session\.trainer)\._[a-z]")
    offenders = [f"{p.relative_to(ROOT)}:{n}" for p in (ROOT / folder).rglob("*.py")
                 for n, line in enumerate(p.read_text().splitlines(), 1) if pattern.search(line)]
    assert not offenders
