import logging
import sys

import redis.exceptions
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@require_GET
def home(request):
    """Everyone lands on the home of his audience."""
    return redirect(settings.CANDIDATE_HOME_URL if request.user.is_candidate else settings.STAFF_HOME_URL)


@login_not_required
@require_GET
def healthz(request):
    """Up if the database and the cache answer: every page needs both (faults probe: with Redis gone
    every page was an error and this still said ok, so no balancer or monitor saw it)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    cache.get("healthz")
    return JsonResponse({"status": "ok"})


def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


RETRY_AFTER_SECONDS = 30


def _database_unavailable(error) -> bool:
    """Whether `error`, or an error it arose from, says the database or the cache cannot answer now:
    Django's wrapped errors, and the driver's own, which reach here unwrapped where Django does not
    wrap them (closing a server-side cursor on a connection that died: the races probe's one 500);
    Redis gone or stalled (the cache, rate limits and lockout counters of a production setting: the
    faults probe's 500 on every page)."""
    driver = connection.Database  # the DB-API module of the backend (psycopg, sqlite3)
    kinds = (OperationalError, InterfaceError, driver.OperationalError, driver.InterfaceError,
             redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
    while error is not None:
        if isinstance(error, kinds):
            return True
        error = error.__cause__ or error.__context__
    return False


def error_500(request):
    # No template context processors: the database may be the thing that failed.
    request_id = getattr(request, "request_id", "")
    # Django calls this view while it handles the exception, wherever it was raised (a view, or
    # the session or user lookup of a middleware): the database unreachable, or too busy to
    # answer, is not a fault of the page but a moment to wait.
    if _database_unavailable(sys.exc_info()[1]):
        return _busy(request_id)
    template = loader.get_template("errors/500.html")
    return HttpResponseServerError(template.render({"request_id": request_id}))


def _busy(request_id) -> HttpResponse:
    context = {"request_id": request_id, "retry_after": RETRY_AFTER_SECONDS}
    response = HttpResponse(loader.get_template("errors/503.html").render(context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def error_400(request, exception=None):
    # A session whose save met the database gone reads as SessionInterrupted (a 400) to Django: it is
    # the same moment to wait as any other (the races probe's 请求无效 at sign-in).
    if _database_unavailable(exception):
        return _busy(getattr(request, "request_id", ""))
    return render(request, "errors/400.html", status=400)


PAGE_EXPIRED = "页面已过期（可能已在其他窗口重新登录或退出），请刷新页面后重试。"


@login_not_required
def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a post from a page whose form token is no longer valid (most often one
    left open while the user signed in again elsewhere). An htmx request gets the message as text,
    which the page shows beside what was typed; a plain post gets a page in Chinese. (Django logs
    the reason itself, as django.security.csrf.)"""
    if "application/json" in request.headers.get("Accept", ""):  # a photo's upload
        return JsonResponse({"ok": False, "message": PAGE_EXPIRED}, status=403)
    if request.headers.get("HX-Request"):
        return HttpResponse(PAGE_EXPIRED + "已填写的内容仍在本页，可先复制。", status=403,
                            content_type="text/plain; charset=utf-8")
    return render(request, "errors/403.html", {"message": PAGE_EXPIRED, "title": "页面已过期"}, status=403)
