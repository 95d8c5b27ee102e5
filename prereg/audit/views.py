"""The 403 page: a refusal is answered, and audited (the audit app owns what is logged)."""

import logging

from django.shortcuts import render

from .log import record
from .models import Outcome

logger = logging.getLogger(__name__)


def error_403(request, exception=None):
    message = str(exception) if exception and str(exception) else "您没有权限访问该页面。"
    _audit_denied(request, message)
    return render(request, "errors/403.html", {"message": message}, status=403)


def _audit_denied(request, message):
    """A signed-in user refused a page or an act is a security event (等保: 越权访问尝试): audited,
    with what he asked for. The refusal itself is answered even if the log cannot be written."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    try:
        record("access.denied", actor=user, outcome=Outcome.DENIED, request=request,
               details={"method": request.method, "path": request.path[:200], "reason": message[:200]})
    except Exception:  # the 403 page must not become a 500
        logger.exception("could not audit a refused request")
