"""A 报考级别 row of the catalogue sheet names the 考试项目 it belongs to (issue 17.7)."""

from prereg.catalog import importers
from prereg.catalog.models import ExamLevel, ExamProject


def _rows(year, **level_projects):
    rows = importers.catalogue_rows(year)
    for row in rows:
        if row["类型"] == importers.LEVEL and row["名称"] in level_projects:
            row["考试项目"] = level_projects[row["名称"]]
    return rows


def test_a_level_row_ties_the_level_to_a_project_and_the_export_gives_it_back(year):
    senior = ExamProject.objects.create(exam_year=year, code="GJ", name="高级卫生专业技术资格考试", order=2)
    level = ExamLevel.objects.filter(exam_year=year).first()
    result = importers.import_rows(year, _rows(year, **{level.name: "高级卫生专业技术资格考试"}))
    assert result.ok, result.errors
    assert ExamLevel.objects.get(pk=level.pk).project == senior
    exported = {row["名称"]: row.get("考试项目") for row in importers.catalogue_rows(year) if row["类型"] == importers.LEVEL}
    assert exported[level.name] == "GJ" and set(exported.values()) == {"GJ", ""}
    result = importers.import_rows(year, _rows(year, **{level.name: ""}))  # blank: every project again
    assert result.ok and ExamLevel.objects.get(pk=level.pk).project is None


def test_an_unknown_project_or_one_on_another_kind_of_row_is_a_row_error(year):
    level = ExamLevel.objects.filter(exam_year=year).first()
    rows = _rows(year, **{level.name: "不存在的项目"})
    rows[-1]["考试项目"] = "GJ"
    result = importers.import_rows(year, rows)
    assert any("考试项目“不存在的项目”不是本年度的考试项目" in e for e in result.errors)
    assert any(e.startswith(f"第{len(rows) + 1}行") and "只有报考级别行可以填写考试项目" in e for e in result.errors)
    assert ExamLevel.objects.get(pk=level.pk).project is None
