"""The house rules of DESIGN.md, checked over the source: size, shape and one-way arrows."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("signpost", "blueprints")
MAX_LINES = 300
MAX_FUNCTION = 50


def _sources():
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level_imports(path: Path) -> set[str]:
    """Modules imported when this module is imported (not inside functions)."""
    found = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_no_source_file_is_over_300_lines():
    long = [
        f"{p.relative_to(ROOT)} ({n} lines)"
        for p in _sources()
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    ]
    assert long == []


def test_no_function_is_over_50_lines_unless_a_comment_says_why():
    long = []
    for path in _sources():
        lines = path.read_text().splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if node.end_lineno - node.lineno + 1 <= MAX_FUNCTION:
                    continue
                body = lines[node.lineno : node.lineno + 6]
                if not any(line.strip().startswith("#") for line in body):
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert long == []


@pytest.mark.parametrize(
    "forbidden", ["blueprints", "flask.request", "flask.session", "flask.render_template"]
)
def test_the_domain_never_imports_the_web_layer(forbidden):
    offenders = []
    for path in sorted((ROOT / "signpost").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            if any(n == forbidden or n.startswith(forbidden + ".") for n in names):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_there_are_no_import_circles():
    modules = {_module_name(p): p for p in _sources()}
    graph = {
        name: {m for m in _top_level_imports(path) if m in modules and m != name}
        for name, path in modules.items()
    }
    # Tarjan's strongly connected components: any component of two or more is a circle.
    index, low, stack, on_stack, circles = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for name in graph:
        if name not in index:
            visit(name)
    assert circles == []


def _feature_map() -> str:
    readme = (ROOT / "README.md").read_text()
    start = readme.index("## Feature map")
    end = readme.find("\n## ", start + 1)
    return readme[start : end if end != -1 else len(readme)]


def test_the_feature_map_names_every_module_blueprint_and_test_file():
    table = _feature_map()
    missing = [
        f"signpost/{p.relative_to(ROOT / 'signpost')}"
        for p in sorted((ROOT / "signpost").glob("*.py"))
        if p.name != "__init__.py" and f"`{p.name}`" not in table
    ]
    missing += [
        f"blueprints/{p.name}/"
        for p in sorted((ROOT / "blueprints").iterdir())
        if p.is_dir() and not p.name.startswith("__") and f"`{p.name}/`" not in table
    ]
    missing += [
        f"tests/{p.name}"
        for p in sorted((ROOT / "tests").glob("test_*.py"))
        if f"`{p.name}`" not in table
    ]
    assert missing == [], "add these to the feature map in README.md"
