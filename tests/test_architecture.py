"""Apps point one way (../shared/style.md): audiences over domain apps over core, no cycles.

Every import of every module under prereg/ counts, those inside functions too: a lazy import is
still an arrow, it only hides it from Python. So does naming an audience's page or template by
its string (a URL name "backoffice:…", a template "candidate/…"), in code or in a template: the
pages that a domain app must link to are named once, in the settings (REVIEW_URL, …).
"""

import ast
import re
from pathlib import Path

PREREG = Path(__file__).resolve().parents[1] / "prereg"
# Lowest first: an app may import only the apps before it. demo seeds data through the domain
# apps; the two audiences (the candidate's pages, the back office) sit on top and never on each other.
LAYERS = ["core", "audit", "notify", "accounts", "orgs", "catalog", "applications", "exports", "reconcile", "ocr", "demo"]
AUDIENCES = ["candidate", "backoffice"]


def arrows():
    """(importing app, imported app, file) for every import between two apps of prereg."""
    for path in sorted(PREREG.rglob("*.py")):
        parts = path.relative_to(PREREG).parts
        if len(parts) < 2 or "migrations" in parts:
            continue
        app = parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if not node.level else [".".join(("prereg", *parts[:len(parts) - node.level]))]
            else:
                continue
            for name in names:
                other = name.split(".")[1] if name.startswith("prereg.") and name.count(".") else None
                if other and other != app:
                    yield app, other, str(path.relative_to(PREREG.parent))


def allowed(app, other) -> bool:
    if app in AUDIENCES:
        return other not in AUDIENCES
    if app in LAYERS and other in LAYERS:
        return LAYERS.index(other) < LAYERS.index(app)
    return False


def test_every_app_is_placed_in_a_layer():
    apps = {p.name for p in PREREG.iterdir() if (p / "apps.py").exists() or (p / "__init__.py").exists()}
    assert apps - {"__pycache__"} <= set(LAYERS + AUDIENCES), apps - set(LAYERS + AUDIENCES)


def test_apps_import_only_downwards_so_there_is_no_cycle():
    wrong = sorted({f"{app} -> {other} ({path})" for app, other, path in arrows() if not allowed(app, other)})
    assert not wrong, "\n".join(wrong)


# A URL name in an audience's namespace, or a template in an audience's folder, as a whole string
# (Python) or inside a {% url %} / {% extends %} / {% include %} tag.
AUDIENCE = "|".join(AUDIENCES)
AUDIENCE_NAME = re.compile(rf"^({AUDIENCE})[:/]")
TEMPLATE_TAG = re.compile(r"\{%\s*(?:url|extends|include)\s+[\"'](" + AUDIENCE + r")[:/]")


def named_audiences():
    """(app, audience, file) for every string of an app's code or templates that names an audience's page.

    The project's own templates (prereg/templates: the site's layouts, the sign-in page) are the
    site's frame, like config/urls.py: they link the audiences together and belong to no app."""
    for path in sorted(PREREG.rglob("*")):
        parts = path.relative_to(PREREG).parts
        if len(parts) < 2 or parts[0] in ("templates", "static") or "migrations" in parts or not path.is_file():
            continue
        app = parts[0]
        if path.suffix == ".py":
            names = [node.value for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                     if isinstance(node, ast.Constant) and isinstance(node.value, str)]
            found = [match.group(1) for name in names if (match := AUDIENCE_NAME.match(name))]
        elif path.suffix in (".html", ".txt"):
            found = TEMPLATE_TAG.findall(path.read_text(encoding="utf-8"))
        else:
            continue
        for audience in found:
            if audience != app:
                yield app, audience, str(path.relative_to(PREREG.parent))


def test_no_domain_app_names_an_audience_page_and_no_audience_names_the_other():
    wrong = sorted({f"{app} -> {audience} ({path})" for app, audience, path in named_audiences()})
    assert not wrong, "\n".join(wrong)


def test_the_name_check_sees_a_url_name_and_a_template():
    assert AUDIENCE_NAME.match("backoffice:review") and AUDIENCE_NAME.match("candidate/home.html")
    assert not AUDIENCE_NAME.match("accounts:login") and not AUDIENCE_NAME.match("layouts/backoffice.html")
    assert TEMPLATE_TAG.findall("""{% url 'candidate:home' %} {% include "backoffice/_row.html" %}""") == [
        "candidate", "backoffice"]


def module_imports():
    """{module: modules of prereg it imports when it is loaded}: the imports at a module's top level
    (inside functions they run later, once every module is loaded)."""
    graph = {}
    for path in sorted(PREREG.rglob("*.py")):
        parts = path.relative_to(PREREG).parts
        if "migrations" in parts:
            continue
        package = ("prereg", *parts[:-1])
        module = ".".join(package if path.stem == "__init__" else (*package, path.stem))
        found = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from the module's package (level 1) or above it
                    anchor = package[:len(package) - node.level + 1]
                    base = ".".join((*anchor, *([node.module] if node.module else [])))
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in node.names)
        graph[module] = {name for name in found if name.startswith("prereg.")}
    return {module: {name for name in names if name in graph and name != module} for module, names in graph.items()}


def test_no_module_imports_itself_back_when_it_loads():
    """A cycle of modules inside an app loads or not by which is imported first (carryover → images →
    completeness → carryover broke `manage.py check` and passed the tests that imported completeness
    first): none is allowed, between apps (above) or within one."""
    graph = module_imports()
    cycles, state = [], {}

    def visit(module, trail):
        state[module] = "open"
        for other in sorted(graph[module]):
            if state.get(other) == "open":
                cycles.append(" → ".join(trail[trail.index(other):] + [other]))
            elif other not in state:
                visit(other, [*trail, other])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, "\n".join(cycles)
