import datetime

from prereg.applications.values import clean_month, month_text, span_text


def test_a_month_is_shown_as_the_form_reads_it():
    assert month_text(datetime.date(2014, 8, 1)) == "2014-08"
    assert clean_month(month_text(datetime.date(2014, 8, 1))) == datetime.date(2014, 8, 1)
    assert month_text(None) == ""


def test_a_span_without_an_end_runs_until_now():
    assert span_text(datetime.date(2014, 8, 1), datetime.date(2016, 7, 31)) == "2014-08 - 2016-07"
    assert span_text(datetime.date(2014, 8, 1), None) == "2014-08 - 至今"
