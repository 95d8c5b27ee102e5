import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from prereg.catalog import importers
from prereg.catalog.models import Announcement, DictEntry, ExamYear, PasswordSheet
from tests.catalog.test_import import GOOD
from tests.catalog.test_year_open import end_year
from tests.factories import windows

MANAGER_PAGES = [
    ("backoffice:years", {}),
    ("backoffice:year_open", {}),
    ("backoffice:announcements", {}),
    ("backoffice:announcement_new", {}),
]


@pytest.fixture
def district(client, reviewer_province):
    client.force_login(reviewer_province)
    return client


@pytest.mark.parametrize(("name", "kwargs"), MANAGER_PAGES)
def test_the_district_opens_every_management_page(district, year, name, kwargs):
    assert district.get(reverse(name, kwargs=kwargs)).status_code == 200


@pytest.mark.parametrize(("name", "kwargs"), MANAGER_PAGES)
def test_a_site_reviewer_or_a_candidate_is_refused(client, year, reviewer_quanzhou, candidate, name, kwargs):
    for user in (reviewer_quanzhou, candidate):
        client.force_login(user)
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 403


def test_year_pages_show_windows_catalogue_and_entries(district, year):
    html = district.get(reverse("backoffice:year_detail", args=[year.pk])).content.decode()
    assert "导入年度字典" in html and "申报专业" in html
    entries = district.get(reverse("backoffice:year_entries", args=[year.pk, "specialty"]) + "?q=呼吸")
    assert "呼吸内科学" in entries.content.decode()
    assert district.get(reverse("backoffice:year_entries", args=[year.pk, "nope"])).status_code == 404


def test_the_district_opens_a_new_year_through_the_form(district, year, reviewer_quanzhou):
    end_year(year)
    data = {"year": year.year + 1, "name": "", "confirm": "on",
            **{k: v.isoformat() for k, v in windows(year.year + 1).items()}}
    response = district.post(reverse("backoffice:year_open"), data)
    new = ExamYear.objects.get(year=year.year + 1)
    assert response.status_code == 302 and response.url == reverse("backoffice:year_detail", args=[new.pk])
    assert new.is_current
    reviewer_quanzhou.refresh_from_db()
    assert reviewer_quanzhou.must_change_password


def test_the_open_form_keeps_input_and_says_what_is_wrong(district, year):
    data = {"year": year.year, "confirm": "", **{k: v.isoformat() for k, v in windows(year.year).items()}}
    response = district.post(reverse("backoffice:year_open"), data)
    html = response.content.decode()
    assert response.status_code == 200 and "必填" in html
    data["confirm"] = "on"
    html = district.post(reverse("backoffice:year_open"), data).content.decode()
    assert "已存在" in html and ExamYear.objects.count() == 1


def test_windows_are_edited_with_field_errors(district, year):
    url = reverse("backoffice:year_detail", args=[year.pk])
    data = {"name": year.name, "version": year.version, **{k: v.isoformat() for k, v in windows(year.year).items()}}
    assert district.post(url, data).status_code == 302
    year.refresh_from_db()
    assert year.form_opens == windows(year.year)["form_opens"]
    data["version"] = year.version
    data["national_closes"] = "2000-01-01"
    response = district.post(url, data)
    assert response.status_code == 400 and "国网报名截止日期不能早于开始日期" in response.content.decode()


def test_the_template_downloads_as_xlsx_and_csv(district, year):
    url = reverse("backoffice:year_catalogue_download", args=[year.pk])
    xlsx = district.get(url)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    rows = importers.read_table("t.xlsx", xlsx.content)
    assert rows[0]["类型"] == "报考级别"
    csv_response = district.get(url + "?format=csv")
    assert csv_response.content.decode("utf-8-sig").startswith("类型,名称,代码")


def test_import_through_the_page_good_then_bad(district, year):
    url = reverse("backoffice:year_catalogue_import", args=[year.pk])
    good = district.post(url, {"file": SimpleUploadedFile("c.csv", GOOD.encode())})
    assert good.status_code == 302
    bad = district.post(url, {"file": SimpleUploadedFile("c.csv", (GOOD + "学历,,,,,,,,,\n").encode())})
    html = bad.content.decode()
    assert bad.status_code == 400 and "第8行：名称不能为空" in html and "整份不导入" in html
    assert district.get(url).status_code == 405


@pytest.mark.parametrize("name", ["backoffice:year_catalogue_import", "backoffice:year_rules"])
def test_a_dictionary_or_rules_file_over_the_limit_is_refused_at_its_field(district, year, name):
    url = reverse(name, args=[year.pk])
    big = SimpleUploadedFile("c.csv", GOOD.encode() + b" " * importers.MAX_BYTES)
    response = district.post(url, {"file": big})
    assert response.status_code == 400
    assert response.context["import_form"].errors == {"file": ["文件过大（不超过5MB）。"]}


def test_an_entry_is_edited(district, year):
    entry = DictEntry.objects.filter(exam_year=year).first()
    url = reverse("backoffice:year_entry_edit", args=[year.pk, "entry", entry.pk])
    assert district.get(url).status_code == 200
    response = district.post(url, {"name": "改名", "code": "", "order": 1, "version": entry.version})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.name == "改名" and not entry.enabled


def test_a_notice_is_written_published_and_withdrawn(district, year):
    response = district.post(reverse("backoffice:announcement_new"), {
        "title": "通知一", "kind": "notice", "audience": "all", "exam_year": year.pk, "body": "正文", "publish": "1"})
    assert response.status_code == 302
    notice = Announcement.objects.get(title="通知一")
    assert notice.is_published
    district.post(reverse("backoffice:announcement_publish", args=[notice.pk]), {"publish": "0",
                                                                               "version": notice.version})
    notice.refresh_from_db()
    assert not notice.is_published
    assert district.get(reverse("backoffice:announcement_publish", args=[notice.pk])).status_code == 405
    bad = district.post(reverse("backoffice:announcement_edit", args=[notice.pk]), {
        "title": "", "kind": "notice", "audience": "all", "body": "x", "version": notice.version + 1})
    assert bad.status_code == 400


def test_password_sheet_pages_show_once_and_only_to_the_holder(client, year, reviewer_province, reviewer_quanzhou,
                                                               reviewer_anxi_bureau, reviewer_fuzhou):
    client.force_login(reviewer_province)
    end_year(year)
    data = {"year": year.year + 1, "confirm": "on", **{k: v.isoformat() for k, v in windows(year.year + 1).items()}}
    client.post(reverse("backoffice:year_open"), data)
    sheet = PasswordSheet.objects.get(holder__code="350500")  # Quanzhou holds 安溪 bureau's password
    for user in (reviewer_quanzhou, reviewer_fuzhou):
        user.refresh_from_db()
        user.must_change_password = False
        user.profile_completed = True
        user.save()
    client.force_login(reviewer_fuzhou)
    assert client.post(reverse("backoffice:year_password_reveal", args=[sheet.pk])).status_code == 403
    client.force_login(reviewer_quanzhou)
    page = client.get(reverse("backoffice:year_passwords")).content.decode()
    assert "查看新密码" in page
    assert client.get(reverse("backoffice:year_password_reveal", args=[sheet.pk])).status_code == 405
    shown = client.post(reverse("backoffice:year_password_reveal", args=[sheet.pk]))
    assert shown.status_code == 200 and shown["Cache-Control"] == "no-store"
    assert reviewer_anxi_bureau.username in shown.content.decode()
    again = client.post(reverse("backoffice:year_password_reveal", args=[sheet.pk]))
    assert again.status_code == 302
    assert "已于" in client.get(reverse("backoffice:year_passwords")).content.decode()


def test_a_candidate_cannot_see_password_sheets(client, candidate):
    client.force_login(candidate)
    assert client.get(reverse("backoffice:year_passwords")).status_code == 403


def test_manuals_are_pages(client, reviewer_quanzhou, candidate):
    client.force_login(reviewer_quanzhou)
    assert "审核" in client.get(reverse("backoffice:manual", args=["reviewer"])).content.decode()
    client.force_login(candidate)
    response = client.get(reverse("backoffice:manual", args=["candidate"]))
    assert response.status_code == 200 and "考生" in response.content.decode()
    assert client.get(reverse("backoffice:manual", args=["reviewer"])).status_code == 403
    assert client.get(reverse("backoffice:manual", args=["nope"])).status_code == 404
    assert client.post(reverse("backoffice:manual", args=["candidate"])).status_code == 405


def _eligible_druggist(year, tree):
    """An open application a verdict is stored for: three years and a month of a 药士's work at the cut-off, 符合."""
    import datetime

    from prereg.applications import eligibility
    from prereg.catalog.models import PracticeCategory, Qualification
    from tests.factories import ApplicationFactory, EducationRowFactory, WorkRowFactory

    qualification = Qualification.objects.filter(exam_year=year, name="药师").first()
    app = ApplicationFactory(exam_year=year, unit=tree["35052401"], level=qualification.level,
                             qualification=qualification, current_qualification="无", practice_change="无",
                             category=PracticeCategory.objects.filter(exam_year=year, name="药学").first())
    EducationRowFactory(application=app, level="大专", obtained=datetime.date(year.year - 5, 7, 1), major="药学")
    WorkRowFactory(application=app, start=datetime.date(year.year - 4, 12, 1), title="药士", major="药学")
    assert eligibility.refresh(app).result == "eligible"
    return app


def test_a_new_cut_off_recomputes_the_stored_verdicts_of_open_applications(district, year, tree):
    """Two months earlier a cut-off, the candidate's page, the lists and the exports (which read the stored verdict)
    must not go on saying 符合. (Three years exactly would be a January start, 需人工核实: rules file §1.3, §5 item 4.)"""
    import datetime

    from prereg.applications.models import Application

    app = _eligible_druggist(year, tree)
    year.refresh_from_db()
    data = {"name": year.name, "version": year.version,
            **{k: v.isoformat() for k, v in windows(year.year).items()},
            "cutoff_date": datetime.date(year.year - 1, 10, 31).isoformat()}
    response = district.post(reverse("backoffice:year_detail", args=[year.pk]), data)
    assert response.status_code == 302
    assert Application.objects.get(pk=app.pk).verdict != "eligible"


def test_a_renamed_catalogue_entry_recomputes_the_stored_verdicts_of_open_applications(district, year, tree):
    """The verdicts read the entries' names: after 药师 was renamed the review screen judged anew while the
    candidate's page, the lists and the exports kept the stored 符合 (eligibility probe 5)."""
    from prereg.applications.models import Application

    app = _eligible_druggist(year, tree)
    qualification = app.qualification
    url = reverse("backoffice:year_entry_edit", args=[year.pk, "qualification", qualification.pk])
    response = district.post(url, {"name": "药师（改）", "code": qualification.code, "order": qualification.order,
                                   "enabled": "on", "version": qualification.version}, follow=True)
    assert "后台重新判定资格" in response.content.decode()
    assert Application.objects.get(pk=app.pk).verdict != "eligible"
