"""A test-only URLconf: the project's URLs plus a view whose query meets a database outage."""

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.exceptions import SessionInterrupted
from django.db import OperationalError, connection
from django.urls import path

from config import urls as project_urls
from config.urls import handler400, handler403, handler404, handler500  # noqa: F401


def outage(request):
    raise OperationalError('connection to server at "10.0.0.5", port 5432 failed: Connection refused')


def driver_outage(request):
    # The driver's own error, as a server-side cursor's close raises it unwrapped by Django.
    raise connection.Database.OperationalError("consuming input failed: server closed the connection unexpectedly")


def session_save_outage(request):
    # What SessionMiddleware raises when the session's save met the database gone (db backend: UpdateError).
    # Raised as Django raises them, each in the handling of the one before (their __context__).
    try:
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError:
            raise UpdateError  # noqa: B904
    except UpdateError:
        raise SessionInterrupted("The request's session was deleted before the request completed.")  # noqa: B904


urlpatterns = [*project_urls.urlpatterns, path("outage/", outage, name="outage"),
               path("driver-outage/", driver_outage, name="driver_outage"),
               path("session-outage/", session_save_outage, name="session_outage")]
