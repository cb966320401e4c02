"""No import cycle among training modules (issue 23): every import, top-level or inside a function, is an edge."""
import ast
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # training/
PKG = "training"


def module_name(path: str) -> str:
    rel = os.path.relpath(path, os.path.dirname(ROOT))[:-3].replace(os.sep, ".")
    return rel[:-len(".__init__")] if rel.endswith(".__init__") else rel


def training_modules():
    out = {}
    for d, _, files in os.walk(ROOT):
        if "__pycache__" in d or os.sep + "tests" in d[len(ROOT):]:
            continue
        for f in files:
            if f.endswith(".py"):
                out[module_name(os.path.join(d, f))] = os.path.join(d, f)
    return out


def imports_of(mod: str, path: str, known) -> set:
    """Modules of `known` that `mod` imports (relative imports resolved; `from pkg import sub` is pkg.sub)."""
    is_pkg = path.endswith("__init__.py")
    here = mod.split(".") if is_pkg else mod.split(".")[:-1]
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in known}
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(here[:len(here) - node.level + 1] + ([node.module] if node.module else [])) \
                if node.level else (node.module or "")
            for a in node.names:
                sub = f"{base}.{a.name}"
                if sub in known:
                    out.add(sub)
                elif base in known:
                    out.add(base)
    out.discard(mod)
    return {m for m in out if not mod.startswith(m + ".")}  # a package's own __init__ is not a cycle


def find_cycle(graph):
    """-> one cycle as a list of modules, or None (depth-first search, colours)."""
    state, stack = {}, []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for n in sorted(graph.get(m, ())):
            if state.get(n) == 1:
                return stack[stack.index(n):] + [n]
            if n not in state:
                c = visit(n)
                if c:
                    return c
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state:
            c = visit(m)
            if c:
                return c
    return None


def test_find_cycle_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_imports_resolve_relative_and_submodules(tmp_path):
    known = {"training.x", "training.data", "training.data.scale"}
    p = tmp_path / "x.py"
    p.write_text("from .data import scale\ndef f():\n    from . import data\n")
    assert imports_of("training.x", str(p), known) == {"training.data.scale", "training.data"}


def test_no_import_cycle_among_training_modules():
    mods = training_modules()
    assert "training.train" in mods and "training.checkpoints" in mods
    graph = {m: imports_of(m, p, mods) for m, p in mods.items()}
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)
