from django.contrib.auth import SESSION_KEY
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

# What a user who must change his password or complete his profile may still open.
ALLOWED_NAMES = {"accounts:first_login", "accounts:logout", "accounts:password_change"}


class FirstLoginMiddleware:
    """The account's own rules on every request, once the user is known: a session its account is
    refused on ends for good, and a one-time password or an incomplete reviewer profile comes
    before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        refused = self._refused_session(request, user)
        if user is not None and user.is_authenticated and self._must_finish(user):
            # Resolved here: Django resolves the URL only after the middleware has run.
            try:
                name = resolve(request.path_info).view_name
            except Resolver404:
                name = ""
            if name not in ALLOWED_NAMES and not request.path.startswith("/static/"):
                return redirect(reverse("accounts:first_login"))
        response = self.get_response(request)
        if refused and request.session.session_key == refused:
            request.session.flush()
        return response

    @staticmethod
    def _refused_session(request, user) -> str | None:
        """The key of a session that names an account while the backend refuses it (the account or
        its org disabled, 登录 withdrawn from its role: IdentifierBackend.get_user), or None.

        get_user() only ignores such a session, and the login page alone used to end it: a stolen
        cookie that never went there signed in again once the account was enabled (security
        probe). It is ended once the request is answered, not before, so the answer can still say
        why (core.login_required._why_ended reads the account from it); a login or logout in the
        same request changes the key and is left alone."""
        session = getattr(request, "session", None)
        if session is None or user is None or SESSION_KEY not in session or user.is_authenticated:
            return None
        return session.session_key

    @staticmethod
    def _must_finish(user) -> bool:
        return user.must_change_password or (user.is_reviewer and not user.profile_completed)
