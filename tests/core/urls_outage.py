"""A test-only URLconf: the project's URLs plus a view whose query meets a database outage."""

from django.db import OperationalError, connection
from django.urls import path

from config import urls as project_urls
from config.urls import handler400, handler403, handler404, handler500  # noqa: F401


def outage(request):
    raise OperationalError('connection to server at "10.0.0.5", port 5432 failed: Connection refused')


def driver_outage(request):
    # The driver's own error, as a server-side cursor's close raises it unwrapped by Django.
    raise connection.Database.OperationalError("consuming input failed: server closed the connection unexpectedly")


urlpatterns = [*project_urls.urlpatterns, path("outage/", outage, name="outage"),
               path("driver-outage/", driver_outage, name="driver_outage")]
