"""The full record's child-row cells follow the form's row tables (sections.ROW_TABLES): a line per
row, the table's columns in the form's order, dates and spans as the confirmation form prints them."""

import datetime

import pytest

from prereg.applications.models import Application, EducationRow, TrainingRow
from prereg.applications.pdf import PRINTED
from prereg.applications.sections import BY_KEY, ROW_TABLES
from prereg.exports.columns import CHILD_CELLS, HEADERS, iter_rows
from prereg.exports.models import ColumnSet
from tests.factories import (
    AppointmentRowFactory,
    EducationRowFactory,
    OtherRowFactory,
    TrainingRowFactory,
    WorkRowFactory,
    make_application,
)


@pytest.fixture
def rows_of_every_table(tree, year):
    """An application with two rows in each row table, their values told apart by row."""
    application = make_application(tree, year, "35052401")
    for n in (1, 2):
        WorkRowFactory(application=application, unit_name=f"单位{n}", title=f"职务{n}", major=f"专业{n}",
                       start=datetime.date(2010 + n, 8, 1), end=datetime.date(2014, 7, 1) if n == 1 else None,
                       order=n)
        for kind, level in ((EducationRow.Kind.EDUCATION, "本科"), (EducationRow.Kind.DEGREE, "学士")):
            EducationRowFactory(application=application, kind=kind, level=f"{level}{n}", school=f"学校{n}",
                                study_form=f"形式{n}", major=f"专业{n}", obtained=datetime.date(2008 + n, 7, 1),
                                order=n)
        AppointmentRowFactory(application=application, unit_name=f"聘任单位{n}", post=f"职称{n}",
                              qualification=f"资格{n}", start=datetime.date(2015 + n, 1, 1), order=n)
        for kind in TrainingRow.Kind:
            TrainingRowFactory(application=application, kind=kind, certificate_no=f"{kind}-{n}",
                               specialty=f"培训专业{n}", base=f"基地{n}", start=datetime.date(2012, 9, 1),
                               end=datetime.date(2015, 8, 1), issued=datetime.date(2015, 9, 1), order=n)
        OtherRowFactory(application=application, kind=f"类型{n}", note=f"备注{n}", order=n)
    return application


def full_record(application) -> dict:
    row = next(iter_rows(Application.objects.filter(pk=application.pk), ColumnSet.FULL, full_numbers=False))
    return dict(zip(HEADERS[ColumnSet.FULL], row, strict=True))


def test_a_work_row_reads_unit_title_span_and_major_as_the_form_orders_them(rows_of_every_table):
    assert full_record(rows_of_every_table)["工作情况"].splitlines() == [
        "单位1 职务1 2011-08 - 2014-07 专业1",
        "单位2 职务2 2012-08 - 至今 专业2",
    ]


def test_a_training_row_reads_number_specialty_span_base_and_issue_as_the_form_orders_them(rows_of_every_table):
    record = full_record(rows_of_every_table)
    assert record["住院医师规范化培训"].splitlines() == [
        "residency-1 培训专业1 2012-09 - 2015-08 基地1 2015-09",
        "residency-2 培训专业2 2012-09 - 2015-08 基地2 2015-09",
    ]
    assert record["全科医生规范化培训"].splitlines()[0] == "gp-1 培训专业1 2012-09 - 2015-08 基地1 2015-09"


def test_an_education_and_an_appointment_row_read_as_the_form_orders_them(rows_of_every_table):
    record = full_record(rows_of_every_table)
    assert record["学历"].splitlines()[0] == "本科1 2009-07 学校1 形式1 专业1"
    assert record["学位"].splitlines()[1] == "学士2 2010-07 学校2 形式2 专业2"
    assert record["现有资格聘任情况"].splitlines()[0] == "聘任单位1 职称1 资格1 2016-01 - 至今"
    assert record["其他"] == "类型1 备注1\n类型2 备注2"


def test_every_row_table_cell_lists_a_row_as_the_confirmation_form_prints_it(rows_of_every_table):
    """Whatever the form's tables become (sections.ROW_TABLES), a row's line is the cells the
    confirmation form prints for it, in that order (but 聘任年限, which the form adds)."""
    assert set(CHILD_CELLS) == {table.key for table in ROW_TABLES}
    record = full_record(rows_of_every_table)
    first = HEADERS[ColumnSet.FULL].index("工作情况")
    for key, header in zip(CHILD_CELLS, HEADERS[ColumnSet.FULL][first:], strict=False):
        table = BY_KEY[key]
        printed = [PRINTED[key].values(row) for row in table.rows(rows_of_every_table)]
        if key == "appointment":
            printed = [values[:-1] for values in printed]  # 聘任年限
        assert record[header].splitlines() == [" ".join(values) for values in printed], key
