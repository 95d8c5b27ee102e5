"""A test-only URLconf: the project's URLs plus a view that fails, for the 500 page test."""

from django.urls import path

from config import urls as project_urls
from config.urls import handler400, handler403, handler404, handler500  # noqa: F401


def boom(request):
    raise RuntimeError("secret detail: DATABASE PASSWORD hunter2")


urlpatterns = [*project_urls.urlpatterns, path("boom/", boom, name="boom")]
