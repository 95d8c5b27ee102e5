import pytest
from django.core.exceptions import PermissionDenied

from prereg.audit.models import AuditEvent
from prereg.catalog import importers, services
from prereg.catalog.models import (
    DictEntry,
    ExamLevel,
    PracticeCategory,
    PracticeScope,
    Qualification,
    Specialty,
)
from tests.factories import ApplicationFactory

HEADER = "类型,名称,代码,报考级别,拟申报资格,执业类别,系列,有执业范围,已核对,启用\n"
GOOD = HEADER + (
    "报考级别,中级,,,,,,,,\n"
    "拟申报资格,主治医师,,中级,,,医疗,,,\n"
    "执业类别,临床,,,,,,是,,\n"
    "执业注册范围,内科专业,11,,,临床,,,,\n"
    "申报专业,呼吸内科学,305,中级,主治医师,临床,,,是,\n"
    "学历,本科,,,,,,,,\n"
)


def catalogue_import(actor, year, content, filename="c.csv"):
    return services.catalogue_import(actor=actor, exam_year_id=year.pk, filename=filename, content=content)


def test_a_good_csv_imports_every_kind_of_entry(year, reviewer_province):
    result = catalogue_import(reviewer_province, year, GOOD.encode())
    assert result.ok, result.errors
    specialty = Specialty.objects.get(exam_year=year, code="305", enabled=True)
    assert specialty.name == "呼吸内科学" and specialty.verified
    assert specialty.qualification.name == "主治医师" and specialty.qualification.level.name == "中级"
    assert specialty.category.name == "临床"
    assert PracticeScope.objects.get(exam_year=year, name="内科专业", enabled=True).code == "11"
    # Entries the file does not name are disabled, not deleted.
    assert ExamLevel.objects.filter(exam_year=year, name="初级(士)", enabled=False).exists()
    assert set(ExamLevel.objects.filter(exam_year=year, enabled=True).values_list("name", flat=True)) == {"中级"}
    assert result.disabled > 0
    assert AuditEvent.objects.filter(event="catalogue.import", outcome="success").exists()


def test_a_gbk_csv_from_excel_is_read(year, reviewer_province):
    result = catalogue_import(reviewer_province, year, GOOD.encode("gb18030"), "c.CSV")
    assert result.ok, result.errors


def test_the_downloaded_xlsx_template_imports_back_unchanged(year, reviewer_province):
    before = importers.catalogue_rows(year)
    result = catalogue_import(reviewer_province, year, importers.catalogue_xlsx(before), "t.xlsx")
    assert result.ok, result.errors[:3]
    assert result.created == 0 and result.disabled == 0
    assert importers.catalogue_rows(year) == before
    # A second round trip changes nothing at all (the first only renumbered the order).
    again = catalogue_import(reviewer_province, year, importers.catalogue_xlsx(importers.catalogue_rows(year)), "t.xlsx")
    assert (again.created, again.updated, again.disabled) == (0, 0, 0)


def test_the_csv_template_guards_a_cell_a_spreadsheet_would_run_and_imports_it_back_as_typed(year,
                                                                                          reviewer_province):
    DictEntry.objects.filter(exam_year=year, kind="education", name="本科").update(name="=HYPERLINK(1)")
    csv_file = importers.catalogue_csv(importers.catalogue_rows(year))
    assert "'=HYPERLINK(1)" in csv_file.decode("utf-8-sig")
    result = catalogue_import(reviewer_province, year, csv_file)
    assert result.ok and result.created == 0, result.errors[:3]  # (the first import renumbers the order)
    assert DictEntry.objects.filter(exam_year=year, name="=HYPERLINK(1)").exists()


def test_a_bad_file_is_refused_with_row_errors_and_nothing_is_imported(year, reviewer_province):
    bad = GOOD + (
        "报考级别,,,,,,,,,\n"                                # row 8: no name
        "申报专业,心内科学,399,中级,副主任医师,,,,,\n"        # row 9: undefined qualification
        "执业注册范围,外科专业,12,,,口腔医学,,,,\n"           # row 10: undefined category
        "学历,本科,,,,,,,,\n"                               # row 11: duplicate of row 7
        "职称,主任,,,,,,,,\n"                               # row 12: unknown kind
        "学位,学士,,,,,,,,也许\n"                           # row 13: bad flag
    )
    snapshot = importers.catalogue_rows(year)
    result = catalogue_import(reviewer_province, year, bad.encode())
    assert not result.ok
    assert result.errors[0].startswith("第8行：名称不能为空")
    assert any(e.startswith("第9行") and "副主任医师" in e for e in result.errors)
    assert any(e.startswith("第10行") and "口腔医学" in e for e in result.errors)
    assert any(e.startswith("第11行") and "与第7行重复" in e for e in result.errors)
    assert any(e.startswith("第12行") and "类型“职称”无法识别" in e for e in result.errors)
    assert any(e.startswith("第13行") and "启用" in e for e in result.errors)
    assert importers.catalogue_rows(year) == snapshot
    assert not Specialty.objects.filter(exam_year=year, code="399").exists()
    assert AuditEvent.objects.filter(event="catalogue.import", outcome="failure").exists()


@pytest.mark.parametrize(("name", "content", "message"), [
    ("c.txt", b"x", "只支持"),
    ("c.csv", "名称\n本科\n".encode(), "缺少列：类型"),
    ("c.xlsx", b"not a zip", "无法读取"),
    ("c.csv", HEADER.encode(), "没有数据行"),
])
def test_an_unreadable_file_gets_one_clear_message(year, reviewer_province, name, content, message):
    result = catalogue_import(reviewer_province, year, content, name)
    assert not result.ok and message in result.errors[0]


def test_only_the_district_imports(year, reviewer_quanzhou):
    with pytest.raises(PermissionDenied):
        catalogue_import(reviewer_quanzhou, year, GOOD.encode())


def test_an_application_keeps_the_entry_it_chose_after_an_import_renames_and_disables(year, candidate,
                                                                                     reviewer_province):
    specialty = Specialty.objects.filter(exam_year=year, name="呼吸内科学").first()
    application = ApplicationFactory(candidate=candidate, exam_year=year, specialty=specialty,
                                     qualification=specialty.qualification)
    result = catalogue_import(reviewer_province, year, GOOD.replace("呼吸内科学,305", "呼吸内科学（新）,399").encode())
    assert result.ok
    application.refresh_from_db()
    assert application.specialty_id == specialty.pk
    assert application.specialty.name == "呼吸内科学"


def test_editing_an_entry_is_audited_and_only_touches_that_year(year, reviewer_province):
    entry = DictEntry.objects.filter(exam_year=year, kind="education", name="本科").first()
    services.catalogue_entry_update(actor=reviewer_province, kind="entry", entry_id=entry.pk, name="大学本科",
                                    code="B", order=3, enabled=False)
    entry.refresh_from_db()
    assert (entry.name, entry.code, entry.order, entry.enabled) == ("大学本科", "B", 3, False)
    event = AuditEvent.objects.get(event="catalogue.entry_update")
    assert event.details["name"] == ["本科", "大学本科"]
    assert event.details["enabled"] == [True, False]


def test_categories_of_a_qualification_follow_its_specialties(year, reviewer_province):
    catalogue_import(reviewer_province, year, GOOD.encode())
    qualification = Qualification.objects.get(exam_year=year, name="主治医师", level__name="中级")
    assert list(qualification.categories.values_list("name", flat=True)) == ["临床"]
    assert PracticeCategory.objects.get(exam_year=year, name="临床").has_scopes
