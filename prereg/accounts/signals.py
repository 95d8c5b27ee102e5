"""Login events into the audit log, and a sign-in starts the session's lifetime (Django's auth signals are the only hook for them)."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from prereg.audit.log import record
from prereg.audit.models import Outcome
from prereg.core.login_required import SessionLifetimeMiddleware

from .backends import find_account


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        SessionLifetimeMiddleware.start(request)
    record("auth.login", actor=user, obj=user, request=request)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        record("auth.logout", actor=user, obj=user, request=request)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    user = find_account(credentials.get("username", ""))
    record("auth.login_failed", actor=None, obj=user, outcome=Outcome.FAILURE, request=request,
           actor_name=(credentials.get("username") or "")[:4] + "***",
           details={"known_account": user is not None})


@receiver(user_locked_out)
def on_locked_out(sender, request, username, ip_address, **kwargs):
    user = get_user_model().objects.filter(username=username).first()
    record("auth.lockout", obj=user, outcome=Outcome.DENIED, request=request, actor_name=username[:4] + "***")
