from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

# What a user who must change his password or complete his profile may still open.
ALLOWED_NAMES = {"accounts:first_login", "accounts:logout", "accounts:password_change"}


class FirstLoginMiddleware:
    """A one-time password or an incomplete reviewer profile comes before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and self._must_finish(user):
            # Resolved here: Django resolves the URL only after the middleware has run.
            try:
                name = resolve(request.path_info).view_name
            except Resolver404:
                name = ""
            if name not in ALLOWED_NAMES and not request.path.startswith("/static/"):
                return redirect(reverse("accounts:first_login"))
        return self.get_response(request)

    @staticmethod
    def _must_finish(user) -> bool:
        return user.must_change_password or (user.is_reviewer and not user.profile_completed)
