"""Cross-cutting request handling: request ids for logs, security headers."""

import contextvars
import logging
import time
import uuid

from django.conf import settings
from django.http import HttpResponseNotAllowed
from django.template import loader
from django.urls import reverse

_request_id = contextvars.ContextVar("request_id", default="-")

# No inline script or style, nothing from another host (the system runs on an intranet).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def current_request_id() -> str:
    return _request_id.get()


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = _request_id.get()
        return True


class RefusalFilter(logging.Filter):
    """A 4xx on django.request is one line, without its traceback: the person was told why (a 403
    is audited as access.denied besides), and ordinary refusals buried the 5xx in tracebacks."""

    def filter(self, record):
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = record.exc_text = None
        return True


class RequestIdMiddleware:
    """Tags each request with an id that its log lines and its error page carry."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = uuid.uuid4().hex[:12]
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class SessionRefreshMiddleware:
    """The idle timeout without a session write on every page: a signed-in session's expiry is
    pushed forward (by saving it) at most once per SESSION_REFRESH_SECONDS, so a session ends
    between SESSION_COOKIE_AGE minus that and SESSION_COOKIE_AGE after the last request.
    Sits right after SessionMiddleware, which saves what this marks modified."""

    KEY = "_refreshed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.is_empty():
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[self.KEY] = now
        return response


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(self), geolocation=(), microphone=()")
        # Pages of a logged-in user hold personal data: no copy in any cache or back-button store.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store"
        return response


class MethodNotAllowedPageMiddleware:
    """A post-only address opened by a link, a bookmark or the back button answers 405 with a page in
    Chinese, not the empty body Django's require_POST gives (a blank page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.content:
            return response
        return HttpResponseNotAllowed(response.get("Allow", "").split(", "),
                                      loader.render_to_string("errors/405.html", request=request))


class LoginRateLimitMiddleware:
    """A per-address limit on failed sign-ins (settings.RATE_LIMITS["login"]).

    It stops one address from spraying passwords over many accounts; guessing one account's
    password is stopped earlier by the per-account lockout (django-axes). Only sign-ins that
    fail are counted: in the last days a whole hospital signs in from one address, and its
    staff's successful sign-ins must not use up the limit. Once it is used up, every sign-in
    from that address waits for the window to end, the right password too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Here, not at the top: settings.LOGGING loads this module (RequestIdFilter) before the app
        # registry is ready, and ratelimit imports axes.helpers, which imports axes' models.
        from . import ratelimit

        if request.method != "POST" or request.path != reverse(settings.LOGIN_URL):
            return self.get_response(request)
        address = ratelimit.client_address(request)
        wait = ratelimit.spent("login", address)
        if wait is not None:
            return ratelimit.response_for(request, ratelimit.RateLimited("login", retry_after=wait))
        response = self.get_response(request)
        if not request.user.is_authenticated:
            ratelimit.hit("login", address)
        return response
