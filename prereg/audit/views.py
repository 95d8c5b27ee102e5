"""The 403 and 404 pages: a refusal is answered, and audited (the audit app owns what is logged)."""

import logging

from django.shortcuts import render

from prereg.core.views import error_404 as not_found_page

from .log import record
from .models import Outcome

logger = logging.getLogger(__name__)


def error_403(request, exception=None):
    message = str(exception) if exception and str(exception) else "您没有权限访问该页面。"
    _audit_denied(request, message)
    return render(request, "errors/403.html", {"message": message}, status=403)


def error_404(request, exception=None):
    """A signed-in user asking an address of ours for an object he may not see is answered as if it did
    not exist (the scoped look-ups: an id out of scope is not found), and audited as access.not_found
    (security probe: a reviewer walking ids left no trace). An address no page has is only answered."""
    if getattr(request, "resolver_match", None) is not None:
        message = exception.args[0] if exception and exception.args and isinstance(exception.args[0], str) else ""
        _audit_denied(request, message, event="access.not_found")
    return not_found_page(request, exception)


def _audit_denied(request, message, event="access.denied"):
    """A signed-in user refused a page or an act is a security event (等保: 越权访问尝试): audited,
    with what he asked for. The refusal itself is answered even if the log cannot be written."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    try:
        record(event, actor=user, outcome=Outcome.DENIED, request=request,
               details={"method": request.method, "path": request.path[:200], "reason": message[:200]})
    except Exception:  # the 403 page must not become a 500
        logger.exception("could not audit a refused request")
