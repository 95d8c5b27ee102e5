"""The PII scan itself: it catches a full ID number, passes masked ones and the allow-list.

The scan runs on every response of the whole suite (tests/security/pii.py, hooked in
tests/conftest.py); these tests prove it would fail a page that leaks.
"""

import pytest

from tests.security.pii import full_id_numbers
from tests.security.urls_pii import NUMBER

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.security.urls_pii")]


@pytest.fixture
def client(client, candidate):
    client.force_login(candidate)
    return client


def test_a_page_with_a_full_id_number_fails_the_test_that_renders_it(client):
    with pytest.raises(AssertionError, match=r"PII scan: full ID number \(5203…\) on /leaky/ \(tests:leaky\)"):
        client.get("/leaky/")


def test_json_with_a_lower_case_check_letter_is_caught_too(client):
    with pytest.raises(AssertionError, match="PII scan"):
        client.get("/leaky.json")


def test_masked_numbers_and_other_long_digit_runs_pass(client):
    assert client.get("/masked/").status_code == 200


def test_pages_meant_to_show_the_number_are_allowed_by_url_name(client):
    assert NUMBER in client.get("/allowed/").content.decode()


def test_only_valid_id_numbers_count():
    assert full_id_numbers(f"a {NUMBER} b") == [NUMBER]
    assert full_id_numbers("123456789012345678 52030219891209794Y 520302198912097940") == []
    assert full_id_numbers(f"x{NUMBER}") == []  # part of a longer token


def test_the_scan_hook_is_active_for_the_whole_suite(request):
    assert "pii_scan" in request.fixturenames
