"""The PII scan: every page the test suite renders is searched for a full 18-digit ID number.

`pii_scan` is an autouse fixture (registered in tests/conftest.py) that wraps
django.test.Client.request. A text response (HTML, JSON, CSV, plain text) whose URL name is not
in ALLOWED_URL_NAMES fails the test when it contains a valid 公民身份号码 (checksum, region and
birth date all right, so order numbers and hashes do not trip it). Masked numbers
(3501**********1234) pass. Streaming and binary responses (images, PDFs, zips) are not read.
"""

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import Resolver404, resolve

from prereg.core.validators import parse_id_number

# Pages meant to show a full ID number: the candidate's own form, the review screen and its
# partials, the confirmation forms. Add a URL name here only with a reason.
ALLOWED_URL_NAMES = {
    "candidate:form",            # the candidate edits his own 基本信息
    "candidate:section",         # a saved form section, re-rendered
    "candidate:confirmation",    # his own 审核确认单
    "backoffice:review",         # the reviewer compares the typed number with the ID card image
    "backoffice:review_check",
    "backoffice:review_edit",
    "backoffice:review_decide",
    "backoffice:print_confirmation",
    "tests:pii_allowed",         # tests/security/test_pii.py
}
TEXT_TYPES = ("text/", "application/json", "application/xhtml")
CANDIDATE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def full_id_numbers(text: str) -> list[str]:
    found = []
    for match in CANDIDATE.finditer(text):
        try:
            parse_id_number(match.group(0))
        except ValidationError:
            continue
        found.append(match.group(0))
    return found


def url_name(path: str, urlconf=None) -> str:
    try:
        return resolve(path, urlconf).view_name
    except Resolver404:
        return ""


def scan(response, path: str) -> None:
    if getattr(response, "streaming", False):
        return
    if not response.get("Content-Type", "").startswith(TEXT_TYPES):
        return
    name = url_name(path, getattr(response.wsgi_request, "urlconf", None) if hasattr(response, "wsgi_request")
                    else None)
    if name in ALLOWED_URL_NAMES:
        return
    numbers = full_id_numbers(response.content.decode(response.charset or "utf-8", errors="replace"))
    if numbers:
        masked = ", ".join(n[:4] + "…" for n in numbers)
        raise AssertionError(
            f"PII scan: full ID number ({masked}) on {path} ({name or 'unnamed'}), which is not a page meant "
            "to show it; mask it (core.masking) or, if it must show, add the URL name to "
            "tests/security/pii.py ALLOWED_URL_NAMES"
        )


@pytest.fixture(autouse=True)
def pii_scan(monkeypatch):
    original = Client.request

    def request(self, **request):
        response = original(self, **request)
        scan(response, request.get("PATH_INFO", ""))
        return response

    monkeypatch.setattr(Client, "request", request)
