"""The house rules of DESIGN.md §2, checked on the source: sizes, import direction, no cycles.

These read the code as text/AST (nothing is imported), so they are fast and cannot be fooled by
lazy imports: an import inside a function counts like one at the top.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "geoapp"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
#: modules not yet split, each with why it is still long (the limit still holds them: they may not grow)
LONG_MODULES = {
}


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(name: str, path: Path) -> list[tuple[str, list[str], int]]:
    """(imported module, names, line) for every import in the file, at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, [], node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            out.append((_resolve(name, node, path.name == "__init__.py"), [a.name for a in node.names], node.lineno))
    return out


def _code_lines(node: ast.AST, source: list[str]) -> int:
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        body = body[1:]                                # the docstring does not count
    if not body:
        return 0
    lines = source[body[0].lineno - 1: node.end_lineno]
    return sum(1 for line in lines if line.strip() and not line.strip().startswith("#"))


def test_no_module_is_too_long():
    long = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in modules().items()}
    over = {n: c for n, c in long.items() if c > LONG_MODULES.get(n, MAX_MODULE_LINES)}
    assert not over, f"modules over {MAX_MODULE_LINES} lines (split them): {over}"


def test_no_function_is_too_long():
    over = []
    for name, path in modules().items():
        source = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(source))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = _code_lines(node, source)
                if n > MAX_FUNCTION_LINES:
                    over.append(f"{name}.{node.name} ({n})")
    assert not over, f"functions over {MAX_FUNCTION_LINES} lines of code: {over}"


def test_only_web_and_cli_import_flask_or_click():
    bad = [f"{name}:{line} imports {mod}" for name, path in modules().items()
           if not name.startswith(("geoapp.web", "geoapp.cli"))
           for mod, _, line in imports_of(name, path) if mod.split(".")[0] in ("flask", "click")]
    assert not bad, bad


def test_no_private_name_is_imported_across_modules():
    bad = [f"{name}:{line} imports {n} from {mod}" for name, path in modules().items()
           for mod, names, line in imports_of(name, path) if mod.startswith("geoapp")
           for n in names if n.startswith("_") and not n.startswith("__")]
    assert not bad, bad


def test_no_import_cycles():
    mods = modules()
    graph = {name: set() for name in mods}
    for name, path in mods.items():
        for mod, names, _ in imports_of(name, path):
            for target in [mod] + [f"{mod}.{n}" for n in names]:
                if target in mods and target != name and not name.startswith(target + "."):
                    graph[name].add(target)
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    # a package's __init__ re-exporting its own modules is not a cycle of behaviour
    real = [c for c in cycles if not any(a.startswith(b + ".") or b.startswith(a + ".") for a, b in zip(c, c[1:]))]
    assert not real, "import cycles: " + "; ".join(" → ".join(c) for c in real)


#: (module, imported module, name) allowed against the direction below, each with why
DIRECTION_EXCEPTIONS = {
    ("geoapp.cli.serve", "geoapp.web", "create_app"): "`geoapp serve` runs the web app: it builds it, at run time",
}


@pytest.mark.parametrize("layer, forbidden", [("geoapp.store", ("geoapp.web", "geoapp.cli", "geoapp.mapview",
                                                                 "geoapp.briefing", "geoapp.demo")),
                                              ("geoapp.mapview", ("geoapp.web", "geoapp.cli")),
                                              ("geoapp.briefing", ("geoapp.web", "geoapp.cli")),
                                              ("geoapp.cli", ("geoapp.web",))])
def test_import_direction(layer, forbidden):
    bad = [f"{name}:{line} imports {mod}" for name, path in modules().items() if name.startswith(layer)
           for mod, names, line in imports_of(name, path) if mod.startswith(forbidden)
           and not all((name, mod, n) in DIRECTION_EXCEPTIONS for n in names or [""])]
    assert not bad, bad
