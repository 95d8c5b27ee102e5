"""Apps point one way (../shared/style.md): audiences over domain apps over core, no cycles.

Every import of every module under prereg/ counts, those inside functions too: a lazy import is
still an arrow, it only hides it from Python.
"""

import ast
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
