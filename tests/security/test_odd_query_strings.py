"""Every page a user can open answers odd query strings with a page, never a server error.

Walks the resolver like tests/core/test_pages.py and opens each GET page as a 考区 reviewer, a
unit reviewer, a candidate, the sysadmin and the auditor (on PostgreSQL too, in CI) with every filter, sort and paging parameter the pages read set to
values no page of ours would send: digits of other scripts, words, a huge number, markup, quotes.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import make_application

ODD_VALUES = ["²", "١", "abc", "9" * 40, "-1", "<script>", "'\"", "2026-13-45", ""]
PARAMETERS = ["page", "year", "project", "level", "specialty", "unit", "state", "stage", "verdict", "q",
              "submitted_from", "submitted_to", "sort", "ids", "kind", "list", "org", "slot", "row_id", "format",
              "actor", "event", "object_type", "object_id", "date_from", "date_to", "waiting", "decided", "org_q"]
# Pages that stream a file or change nothing on GET but are not pages to look at: their own tests cover them.
SKIP = re.compile(r"(\.pdf$|/download|/thumbnail|/image/|healthz|logout|/captcha/)")


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def _pages():
    for route in _routes(get_resolver().url_patterns):
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", "1", route).replace("^", "").replace("$", "")
        if not SKIP.search(path):
            yield path


@pytest.mark.parametrize("who", ["reviewer_province", "reviewer_anxi_hospital", "candidate", "sysadmin", "auditor"])
def test_no_page_answers_an_odd_query_string_with_a_server_error(client, tree, year, request, who):
    user = request.getfixturevalue(who)
    make_application(tree, year, "35052401")
    client.force_login(user)
    client.raise_request_exception = False  # collect every page's answer, not the first error
    errors = []
    for path in _pages():
        for value in ODD_VALUES:
            response = client.get(path, dict.fromkeys(PARAMETERS, value))
            if response.status_code >= 500:
                errors.append(f"{path}?…={value!r}: {response.status_code}")
    assert not errors, "\n".join(errors)
