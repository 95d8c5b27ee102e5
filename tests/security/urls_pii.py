"""A test-only URLconf for the PII scan's own tests."""

from django.http import HttpResponse, JsonResponse
from django.urls import include, path

from config import urls as project_urls
from prereg.core.masking import mask_id_number

NUMBER = "52030219891209794X"  # a valid 公民身份号码 (checksum right), used in the project's tests


def leaky(request):
    return HttpResponse(f"<p>证件编号：{NUMBER}</p>")


def masked(request):
    return HttpResponse(f"<p>证件编号：{mask_id_number(NUMBER)}</p><p>报名号 202700000001 订单 123456789012345678</p>")


def leaky_json(request):
    return JsonResponse({"id": NUMBER.lower()})


patterns = [
    path("leaky/", leaky, name="leaky"),
    path("masked/", masked, name="masked"),
    path("leaky.json", leaky_json, name="leaky_json"),
    path("allowed/", leaky, name="pii_allowed"),
]
urlpatterns = [*project_urls.urlpatterns, path("", include((patterns, "tests")))]
