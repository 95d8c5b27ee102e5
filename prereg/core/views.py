import logging
import sys

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
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
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


RETRY_AFTER_SECONDS = 30


def error_500(request):
    # No template context processors: the database may be the thing that failed.
    request_id = getattr(request, "request_id", "")
    # Django calls this view while it handles the exception, wherever it was raised (a view, or
    # the session or user lookup of a middleware): the database unreachable, or too busy to
    # answer, is not a fault of the page but a moment to wait.
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        context = {"request_id": request_id, "retry_after": RETRY_AFTER_SECONDS}
        response = HttpResponse(loader.get_template("errors/503.html").render(context), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    template = loader.get_template("errors/500.html")
    return HttpResponseServerError(template.render({"request_id": request_id}))


def error_400(request, exception=None):
    return render(request, "errors/400.html", status=400)
