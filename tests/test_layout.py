"""The house rules of the layout (README "Where things live"), checked with the ast module over the source tree.

`treatments` is content only and imports nothing from `clinic`; no import cycle anywhere; the
generic layers import no domain (`lib` nothing of the clinic's, `mail` nothing of booking,
aftercare or treatments); no module over 400 lines; at most a dozen modules at `clinic/`'s top.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("clinic", "treatments")
MAX_LINES = 400


def modules():
    """{dotted module name: path} for every project module outside migrations."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports(name, path, known):
    """The project modules `name` imports (at any depth of the file, deferred imports included)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            # The deepest project module the import names (a name imported from a module is not one).
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph():
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def in_package(module, package):
    return module == package or module.startswith(package + ".")


def test_treatments_imports_nothing_from_clinic():
    offenders = {m: sorted(i for i in deps if in_package(i, "clinic")) for m, deps in graph().items()}
    assert {m: deps for m, deps in offenders.items() if in_package(m, "treatments") and deps} == {}


def test_the_generic_layers_import_no_domain():
    edges = graph()
    rules = {
        "clinic.lib": (
            "clinic.models",
            "clinic.mail",
            "clinic.booking",
            "clinic.aftercare",
            "clinic.admin",
            "clinic.staff",
            "treatments",
        ),
        "clinic.mail": ("clinic.booking", "clinic.aftercare", "clinic.admin", "clinic.staff", "treatments"),
        "clinic.booking": ("clinic.aftercare", "clinic.admin", "clinic.staff", "clinic.waitlist"),
        "clinic.waitlist": ("clinic.admin", "clinic.staff"),
        "clinic.aftercare": ("clinic.admin", "clinic.staff"),
        "clinic.staff": ("clinic.admin",),
    }
    broken = [
        (module, target)
        for layer, forbidden in rules.items()
        for module, deps in edges.items()
        if in_package(module, layer)
        for target in deps
        if any(in_package(target, f) for f in forbidden)
    ]
    assert broken == []


def test_there_is_no_import_cycle():
    edges = graph()
    cycles, state = [], {}

    def visit(module, path):
        state[module] = "open"
        for target in sorted(edges.get(module, ())):
            if state.get(target) == "open":
                cycles.append(path[path.index(target) :] + [target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = "done"

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_checker_sees_an_import_cycle(tmp_path):
    """The negative control: two modules importing each other are found."""
    (tmp_path / "a.py").write_text("from b import x\n")
    (tmp_path / "b.py").write_text("import a\n")
    known = {"a": tmp_path / "a.py", "b": tmp_path / "b.py"}
    assert imports("a", known["a"], known) == {"b"} and imports("b", known["b"], known) == {"a"}


def test_no_module_is_longer_than_400_lines():
    long = {name: n for name, path in modules().items() if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_clinic_has_at_most_a_dozen_top_level_modules():
    top = sorted(path.name for path in (ROOT / "clinic").glob("*.py"))
    assert len(top) <= 12, top


def test_every_sub_package_says_what_lives_there():
    for init in (ROOT / "clinic").glob("*/__init__.py"):
        if init.parent.name in ("migrations", "management"):
            continue
        docstring = ast.get_docstring(ast.parse(init.read_text()))
        assert docstring and len(docstring.splitlines()[0]) > 20, init
