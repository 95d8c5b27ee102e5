import datetime

import pytest
from django.core.exceptions import ValidationError

from prereg.applications.values import clean_month, clean_postcode, month_text, span_text


def test_a_month_is_shown_as_the_form_reads_it():
    assert month_text(datetime.date(2014, 8, 1)) == "2014-08"
    assert clean_month(month_text(datetime.date(2014, 8, 1))) == datetime.date(2014, 8, 1)
    assert month_text(None) == ""


def test_a_span_without_an_end_runs_until_now():
    assert span_text(datetime.date(2014, 8, 1), datetime.date(2016, 7, 31)) == "2014-08 - 2016-07"
    assert span_text(datetime.date(2014, 8, 1), None) == "2014-08 - 至今"


def test_a_postcode_in_full_width_digits_is_the_same_postcode_and_other_scripts_are_refused():
    assert clean_postcode("３５００００") == "350000"
    with pytest.raises(ValidationError):
        clean_postcode("٣٥٠٠٠٠")
