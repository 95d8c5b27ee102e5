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
