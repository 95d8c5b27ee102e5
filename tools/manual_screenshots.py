"""Screenshots for the manuals, taken from the running system.

Builds a throwaway SQLite database with the demo data (seed_demo), collects the static files,
starts gunicorn on a free port with the production settings (DEBUG off, whitenoise), drives
Debian's chromium with Playwright through the pages the manuals describe, and saves small
viewport-sized PNGs into prereg/static/manual/ (quantised; docs/manual-*.md reference them).

    python -m tools.manual_screenshots [--only NAME ...] [--keep]

Nothing touches the project's own database: every step runs in a subprocess whose
DATABASE_URL, MEDIA_ROOT and STATIC_ROOT point into a temporary folder.
"""

import argparse
import io
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urljoin

from PIL import Image

from tools.common import MANUAL_DIR, ROOT, palette_png, save, setup_django

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# Date and month inputs follow the browser's own language (LANG and --lang; Debian's chromium
# needs the chromium-l10n package for it), not the page's; emoji need fonts-noto-color-emoji.
CHROMIUM_ENV = {"LANG": "zh_CN.UTF-8", "LANGUAGE": "zh_CN", "LC_ALL": "zh_CN.UTF-8"}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--lang=zh-CN", "--accept-lang=zh-CN", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 800}
MAX_BYTES = 150 * 1024
VISIBLE_IMAGES_LOADED = """() => Array.from(document.images)
  .filter(i => { const r = i.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; })
  .every(i => i.complete && i.naturalWidth > 0)"""

# Demo accounts (prereg/demo/people.py): who is signed in for each screenshot.
CANDIDATE_DRAFT = "350111199009091013"  # 曹操, a draft
CANDIDATE_RETURNED = "35012219910130106X"  # 陈静, returned
CANDIDATE_APPROVED = "350102199412011144"  # 吴芳, approved
SITE_REVIEWER = "350100"  # 福州 考点
POINT_NEW = "350122"  # 连江 报名点, must complete his profile at first login
DISTRICT = "350000"  # 考区


def _scroll_to(selector):
    def act(page):
        page.locator(selector).first.evaluate("el => el.scrollIntoView({block: 'start'})")
        page.evaluate("window.scrollBy(0, -12)")
    return act


def _open_first_pending(page):
    """The review screen of the first pending application, scrolled to its first field with images."""
    href = page.locator("table tbody tr[data-href]").first.get_attribute("data-href")
    page.goto(urljoin(page.url, href))
    page.wait_for_load_state("networkidle")
    field = page.locator("details[data-check-field]:has(img[data-viewer-main])").first
    field.evaluate("el => { el.open = true; el.scrollIntoView({block: 'start'}); window.scrollBy(0, -60); }")
    page.wait_for_timeout(300)


def _select_two(page):
    boxes = page.locator("table tbody input[type=checkbox]")
    for i in range(min(2, boxes.count())):
        boxes.nth(i).check()


# (file name, signed-in user or None, path, action before the screenshot)
SHOTS = [
    ("login", None, "/accounts/login/", None),
    ("candidate-signup", None, "/candidate/signup/", None),
    ("candidate-home", CANDIDATE_DRAFT, "/candidate/", None),
    ("candidate-form-basic", CANDIDATE_DRAFT, "/candidate/form/", _scroll_to("#section-basic")),
    ("candidate-form-education", CANDIDATE_DRAFT, "/candidate/form/", _scroll_to("#section-education")),
    ("candidate-form-declaration", CANDIDATE_DRAFT, "/candidate/form/", _scroll_to("#section-declaration")),
    ("candidate-form-work", CANDIDATE_DRAFT, "/candidate/form/", _scroll_to("#section-work")),
    ("candidate-form-appointment", CANDIDATE_DRAFT, "/candidate/form/", _scroll_to("#section-appointment")),
    ("candidate-form-other", CANDIDATE_DRAFT, "/candidate/form/", _scroll_to("#section-other")),
    ("candidate-images", CANDIDATE_DRAFT, "/candidate/form/", _scroll_to("#images")),
    ("candidate-submit", CANDIDATE_DRAFT, "/candidate/form/", _scroll_to("#submit")),
    ("candidate-returned", CANDIDATE_RETURNED, "/candidate/", None),
    ("candidate-progress", CANDIDATE_APPROVED, "/candidate/progress/", None),
    ("reviewer-first-login", POINT_NEW, "/accounts/first-login/", None),
    ("reviewer-pending", SITE_REVIEWER, "/backoffice/review/pending/", None),
    ("reviewer-batch", SITE_REVIEWER, "/backoffice/review/pending/", _select_two),
    ("reviewer-review", SITE_REVIEWER, "/backoffice/review/pending/", _open_first_pending),
    ("reviewer-reviewed", SITE_REVIEWER, "/backoffice/review/reviewed/", None),
    ("reviewer-forward", SITE_REVIEWER, "/backoffice/review/forward/", None),
    ("reviewer-stats", DISTRICT, "/backoffice/stats/", None),
    ("reviewer-orgs", DISTRICT, "/backoffice/orgs/", None),
    ("reviewer-accounts", DISTRICT, "/backoffice/accounts/", None),
    ("reviewer-passwords", DISTRICT, "/backoffice/years/passwords/", None),
    ("reviewer-years", DISTRICT, "/backoffice/years/", None),
    ("reviewer-announcements", DISTRICT, "/backoffice/announcements/", None),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shrink(png: bytes) -> bytes:
    """A viewport screenshot as a small PNG: quantised to a palette (UI screens have few colours)."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    for colours in (96, 48, 24):
        data = palette_png(image, colours)
        if len(data) <= MAX_BYTES:
            break
    return data


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m tools.manual_screenshots",
        description="Take the manuals' screenshots from a throwaway demo instance (writes prereg/static/manual/).")
    parser.add_argument("--only", nargs="*", default=None, help="names of the screenshots to take")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, logs)")
    options = parser.parse_args(argv)
    setup_django()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"chromium not found at {CHROMIUM} (set CHROMIUM_PATH)")
    shots = [s for s in SHOTS if not options.only or s[0] in options.only]
    workdir = Path(tempfile.mkdtemp(prefix="prereg-manual-"))
    env = {**os.environ,
           "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
           "MEDIA_ROOT": str(workdir / "media"), "STATIC_ROOT": str(workdir / "static"),
           "SECRET_KEY": secrets.token_urlsafe(40), "DEBUG": "false", "HTTPS": "false",
           "ALLOWED_HOSTS": "127.0.0.1", "TESTING": "false", "DEMO_MODE": "true",
           "RATE_LIMIT_LOGIN": "1000/60"}
    env.pop("PYTEST_VERSION", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    server = log = None
    try:
        for step in (["migrate", "-v0"], ["createcachetable"], ["seed_demo", "--quiet-accounts"],
                     ["collectstatic", "--noinput", "-v0"]):
            print(f"manage.py {' '.join(step)}")
            subprocess.run(manage + step, env=env, cwd=ROOT, check=True,  # noqa: S603 - our argv
                           stdout=subprocess.DEVNULL)
        port = free_port()
        log = open(workdir / "gunicorn.log", "wb")  # noqa: SIM115 - closed with the server
        server = subprocess.Popen(  # noqa: S603 - our argv
            [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi:application", "-b", f"127.0.0.1:{port}",
             "-w", "1", "--threads", "4"], env=env, cwd=ROOT, stdout=log, stderr=log)
        base = f"http://127.0.0.1:{port}"
        wait_for(port, server)
        print(f"server on {base} (pid {server.pid})")
        take(base, shots)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        if log is not None:
            log.close()
        if options.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def wait_for(port, server):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited; see its log (run with --keep)")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise SystemExit("the server did not start within 60 s")


def take(base, shots):
    from playwright.sync_api import sync_playwright

    from prereg.demo.people import demo_password

    password = demo_password()
    MANUAL_DIR.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
                                             env={**os.environ, **CHROMIUM_ENV})
        contexts = {}
        for name, who, path, action in shots:
            if who not in contexts:
                context = browser.new_context(viewport=VIEWPORT, timezone_id="Asia/Shanghai")
                context.set_default_timeout(15_000)
                page = context.new_page()
                page.on("dialog", lambda dialog: dialog.dismiss())
                if who is not None:
                    login(page, base, who, password)
                contexts[who] = page
            page = contexts[who]
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            if action is not None:
                action(page)
            page.evaluate("document.activeElement && document.activeElement.blur()")
            wait_for_images(page)
            save(MANUAL_DIR / f"{name}.png", shrink(page.screenshot(full_page=False)), page.url)
        browser.close()


def wait_for_images(page):
    """Lazy images in the viewport start loading only once scrolled to: wait for them."""
    from playwright.sync_api import Error

    try:
        page.wait_for_function(VISIBLE_IMAGES_LOADED, timeout=8_000)
    except Error:
        print(f"  some images did not load on {page.url}", file=sys.stderr)


def login(page, base, username, password):
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_load_state("load")
    if "/accounts/login/" in page.url:
        raise SystemExit(f"demo login failed for {username}")


if __name__ == "__main__":
    main()
