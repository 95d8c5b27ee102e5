"""Browser journeys: Playwright (sync API) driving Debian's chromium against pytest-django's live server.

- The browser is /usr/bin/chromium (or $CHROMIUM_PATH); Playwright never downloads one.
- The server is pytest-django's `live_server` (a thread of this process on a free port, with
  static files served by Django's StaticFilesHandler); the test database is shared with it.
- Every request the page makes to a host other than the live server fails the test: no page
  may load anything from another host.
- CSP violations reported by the browser fail the test (strict CSP: no inline script or style).
- `shot(page, "name")` saves a full-page screenshot under var/e2e-screenshots/ (kept as CI
  artifacts); a failing test leaves `FAILED-<test>.png` there too.

Every test module here carries `pytestmark = pytest.mark.browser`; tests/conftest.py skips
them where chromium is absent.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.servers.basehttp import WSGIServer

# Playwright's sync API runs an asyncio loop in this thread; Django's guard against ORM calls
# from async code would then refuse the test's own (synchronous) database work.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "e2e-screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 375, "height": 812}
TIMEOUT_MS = 15_000


_REPORTS = pytest.StashKey[dict]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep the call-phase report so a page fixture can screenshot a failure."""
    report = yield
    if report.when == "call":
        item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


# One Playwright and one chromium per process, whichever module's fixture asks first: Playwright's
# sync API runs an event loop in this thread and refuses a second instance beside it, and other
# test folders import these fixtures (tests/backoffice/test_*_browser.py).
_SHARED: dict = {}


def shared_browser():
    if "browser" not in _SHARED:
        from playwright.sync_api import sync_playwright

        for stale in SCREENSHOTS.glob("FAILED-*.png"):
            stale.unlink()
        _SHARED["playwright"] = sync_playwright().start()
        _SHARED["browser"] = _SHARED["playwright"].chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    return _SHARED["playwright"], _SHARED["browser"]


def pytest_sessionfinish(session, exitstatus):
    browser, playwright = _SHARED.pop("browser", None), _SHARED.pop("playwright", None)
    with contextlib.suppress(Exception):
        if browser is not None:
            browser.close()
        if playwright is not None:
            playwright.stop()


@pytest.fixture(scope="session")
def _playwright():
    return shared_browser()[0]


@pytest.fixture(scope="session")
def browser(_playwright):
    return shared_browser()[1]


class _SerialWSGIServer(WSGIServer):
    """One request at a time (Django then answers with Connection: close), each under `gate`, which a
    test's end holds (hold) until the next test begins (let_go): see `server`."""

    gate = threading.Lock()
    held = False

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)

    def process_request(self, request, client_address):
        with self.gate:
            super().process_request(request, client_address)

    @classmethod
    def hold(cls):
        cls.gate.acquire()
        cls.held = True

    @classmethod
    def let_go(cls):
        if cls.held:
            cls.held = False
            cls.gate.release()

    def shutdown(self):
        self.let_go()  # a request waiting at the gate would keep the server from stopping
        super().shutdown()


def _serial_live_server_on_sqlite():
    """On SQLite the test database lives in memory and the live server shares this process's one
    connection; a threaded server would use it from several threads at once (the browser loads
    images in parallel) and SQLite answers "database table is locked". Serve one request at a
    time there; PostgreSQL keeps Django's threaded server. Called before the (session-wide)
    live server starts; the server class only matters at that start."""
    from django.conf import settings
    from django.test.testcases import LiveServerThread

    if not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return False
    LiveServerThread.server_class = _SerialWSGIServer
    return True


@pytest.fixture
def server(request, transactional_db):
    """The base URL of the live server (no trailing slash); the database is shared with it.

    On SQLite the server's thread uses the test's own connection: a request still being answered
    when the test ends (the browser closed, the server not done) ran inside the flush of the
    database, which failed ("cannot start a transaction within a transaction") and left the
    connection broken for every later test of the process. The test's end waits for the request
    being answered and holds the server until the next test has its clean database."""
    serial = _serial_live_server_on_sqlite()
    live_server = request.getfixturevalue("live_server")
    if serial:
        _SerialWSGIServer.let_go()
    yield live_server.url.rstrip("/")
    if serial:
        _SerialWSGIServer.hold()


class PageProblems:
    """What the browser reported while the test ran."""

    def __init__(self):
        self.csp_violations: list[str] = []
        self.console_errors: list[str] = []
        self.foreign_requests: list[str] = []
        self.server_errors: list[str] = []


def _new_page(request, browser, server, viewport, *, mobile=False):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True,
        is_mobile=mobile, has_touch=mobile,
        user_agent=("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
                    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1") if mobile else None,
    )
    context.set_default_timeout(TIMEOUT_MS)
    problems = PageProblems()
    own_host = urlsplit(server).netloc

    def note_foreign(request):
        # Observed, not intercepted: routing every request through Python would slow each page.
        # There is no network beyond localhost here anyway; a foreign request fails the test.
        url = request.url
        if not url.startswith(("data:", "blob:")) and urlsplit(url).netloc != own_host:
            problems.foreign_requests.append(url)

    context.on("request", note_foreign)
    page = context.new_page()

    def on_console(message):
        if message.type != "error":
            return
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            problems.csp_violations.append(text)
        else:
            problems.console_errors.append(text)

    def on_response(response):
        if response.status >= 500:
            problems.server_errors.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    # data-confirm buttons ask with window.confirm: the person says yes; the question is kept.
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.accept()))
    page.problems = problems
    page.base = server
    yield page
    report = request.node.stash.get(_REPORTS, {}).get("call")
    if report is not None and report.failed:
        name = re.sub(r"[^\w.-]+", "_", request.node.name)[:120]
        # A screenshot must never hide the real failure.
        with contextlib.suppress(Exception):
            page.screenshot(path=str(SCREENSHOTS / f"FAILED-{name}.png"), full_page=True)
    context.close()
    assert not problems.csp_violations, f"CSP violations: {problems.csp_violations}"
    assert not problems.foreign_requests, f"requests to other hosts: {problems.foreign_requests}"
    assert not problems.server_errors, f"server errors: {problems.server_errors}"


@pytest.fixture
def page(request, browser, server):
    """A desktop page (a reviewer's office PC)."""
    yield from _new_page(request, browser, server, DESKTOP)


@pytest.fixture
def phone(request, browser, server):
    """A 375×812 phone page (most candidates come on phones)."""
    yield from _new_page(request, browser, server, PHONE, mobile=True)


@pytest.fixture
def another_page(request, browser, server):
    """A second, independent desktop session (e.g. the next reviewer) in the same test."""
    yield from _new_page(request, browser, server, DESKTOP)


def shot(page, name: str) -> Path:
    """Save a full-page screenshot var/e2e-screenshots/<name>.png and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def submit(page, button):
    """Click a button that posts its form, and wait until the server's answer is the page.

    Waiting for the "load" state after the click is not enough: a form that posts to its own URL leaves the old,
    already loaded page in place until the answer arrives, so the wait returned at once and the next assertion read
    the page as it was before the click (seen as a flaky failure in CI).
    """
    locator = page.locator(button) if isinstance(button, str) else button
    with page.expect_navigation():
        locator.click()


def login(page, username: str, password: str, *, next_url: str = ""):
    """Sign in through the login form; leaves the page where the server redirected."""
    page.goto(f"{page.base}/accounts/login/" + (f"?next={next_url}" if next_url else ""))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    submit(page, "form[action$='/accounts/login/'] button[type=submit]")


def logout(page):
    submit(page, "form[action$='/accounts/logout/'] button")

