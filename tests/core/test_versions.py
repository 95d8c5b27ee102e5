"""The version a posting page carries, read one way for both audiences."""

import pytest

from prereg.core.versions import STALE_VERSION, posted_version


def test_a_posted_number_is_the_version_the_page_was_loaded_with():
    assert posted_version("0") == 0 and posted_version("17") == 17


@pytest.mark.parametrize("value", [None, "", "abc", "3a", "²", "9" * 5000])
def test_a_missing_or_garbled_version_reads_as_one_no_application_has(value):
    assert posted_version(value) == STALE_VERSION < 0
