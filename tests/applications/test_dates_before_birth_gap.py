"""A candidate whose birth date changes after his rows were saved (he corrects his ID number in 基本信息) is
told before submitting which dates the new birth date leaves too early: the rows are refused when typed,
but nothing compared them with a birth date typed after them, and such a form could be submitted. One rule
with the reviewer's correction (completeness.dated_before_birth)."""

import datetime

from prereg.applications import completeness
from prereg.applications.models import Application, WorkRow
from tests.factories import CandidateFactory, complete_application


def test_a_birth_date_later_than_saved_rows_is_a_gap_naming_each(tree, year):
    candidate = CandidateFactory()
    application = complete_application(candidate, year, tree, unit_code="35052401")
    assert completeness.missing(application) == []
    # Born 2000-03: a work row of 2016-08 is fine (at 16, the minimum working age), the 学历 of 2012-07 is before
    # the age of 14.
    WorkRow.objects.filter(application=application).update(start=datetime.date(2016, 8, 1))
    Application.objects.filter(pk=application.pk).update(birth_date=datetime.date(2000, 3, 1))
    application.refresh_from_db()
    messages = completeness.missing(application)
    assert any("学历1 · 取得时间（2012-07）早于年满14周岁" in m and "请核对出生日期" in m for m in messages), messages
    assert not any("工作经历" in m for m in messages), messages
    # Born 2013: the work row too, and the sections are the rows' own.
    Application.objects.filter(pk=application.pk).update(birth_date=datetime.date(2013, 1, 1))
    application.refresh_from_db()
    gaps = [gap for gap in completeness.gaps(application) if "出生日期" in gap.message]
    assert {gap.section for gap in gaps} >= {"education", "work"}
    assert any("开始时间（2016-08）早于年满16周岁" in gap.message for gap in gaps)
