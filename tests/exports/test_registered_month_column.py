"""执业注册年月 stands beside 执业注册范围 in each record export (probe D): the 资格审核 set had it after
退回原因, the 全部信息 set lacked it; the reviewer compares the two on one 执业证书."""

import datetime

import pytest

from prereg.applications.models import Application, Stage, State
from prereg.exports.columns import HEADERS, iter_rows
from prereg.exports.models import ColumnSet
from tests.factories import make_application


@pytest.mark.parametrize("columns", [ColumnSet.FULL, ColumnSet.ELIGIBILITY])
def test_the_registered_month_follows_the_registered_scope(tree, year, columns):
    application = make_application(tree, year, "35052401", State.IN_REVIEW, Stage.POINT_CONFIRM, name="李娜")
    Application.objects.filter(pk=application.pk).update(practice_registered=datetime.date(2015, 11, 1))
    header = HEADERS[columns]
    assert header.index("执业注册年月") == header.index("执业注册范围") + 1
    row = next(iter(iter_rows(Application.objects.filter(pk=application.pk), columns, full_numbers=False)))
    assert dict(zip(header, row, strict=True))["执业注册年月"] == "2015-11"
