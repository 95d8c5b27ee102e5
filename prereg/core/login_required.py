"""Django's LoginRequiredMiddleware, for a session that ended while a page was open.

Apart from prereg.core.middleware, which logging loads before the apps are ready (its request-id
filter); Django's middleware imports the auth views, which need them.
"""

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model, logout
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, JsonResponse

SESSION_ENDED = "登录已超时，请在新窗口重新登录后回到本页再点保存（已填写的内容仍在本页）。"
ACCOUNT_DISABLED = "您的账号已被禁用，无法继续操作。如有疑问，请联系上级管理员。"


def _why_ended(request) -> str:
    """The session's account was disabled (signing in again would fail too), else it timed out."""
    user_id = request.session.get(SESSION_KEY)
    if user_id and get_user_model().objects.filter(pk=user_id, is_active=False).exists():
        return ACCOUNT_DISABLED
    return SESSION_ENDED


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Django's (every view needs a login unless marked login_not_required), for a session that has
    ended while a page was open (the idle timeout, or a logout in another window):

    - an htmx request (a section saved, a photo deleted) is answered 401 with a message the page
      shows, instead of the login page, which htmx would put in place of what was typed; a photo's
      upload (which asks for JSON) gets the message as its JSON answer;
    - a post without scripts goes to the login page and from there back to the page it was posted
      from, not to the address it posted to (which takes posts only).
    """

    def handle_no_permission(self, request, view_func):
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"ok": False, "message": _why_ended(request)}, status=401)
        if request.headers.get("HX-Request"):
            return HttpResponse(_why_ended(request), status=401, content_type="text/plain; charset=utf-8")
        if request.method not in ("GET", "HEAD"):
            referer = urlsplit(request.headers.get("Referer", ""))
            back = referer.path if referer.netloc == request.get_host() and referer.path else "/"
            return redirect_to_login(back, self.get_login_url(view_func), self.get_redirect_field_name(view_func))
        return super().handle_no_permission(request, view_func)


class SessionLifetimeMiddleware:
    """An absolute end to a signed-in session (ASVS V7.3.2): the idle timeout alone let a session in
    steady use live for ever. SESSION_ABSOLUTE_SECONDS after its first signed-in request the user is
    signed out (audited as a logout); the request goes on as one after the session ended."""

    KEY = "_signed_in_at"

    def __init__(self, get_response):
        self.get_response = get_response

    @classmethod
    def start(cls, request):
        """A sign-in starts the lifetime again: Django keeps the session's data (this stamp with it)
        when the same user signs in again in the same browser."""
        request.session[cls.KEY] = int(time.time())

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            if now - request.session.setdefault(self.KEY, now) >= settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
        return self.get_response(request)
