"""What the audit viewer calls an exam year."""

from django.urls import reverse

from prereg.catalog import services


def test_the_audit_viewer_names_an_exam_years_entries_by_its_chinese_name(client, year, reviewer_province, auditor):
    services.exam_year_update(actor=reviewer_province, exam_year_id=year.pk, name="改名年度")
    client.force_login(auditor)
    response = client.get(reverse("backoffice:audit"))
    choices = dict(response.context["form"].fields["object_type"].choices)
    assert choices["catalog.ExamYear"] == "年度"
    assert '<option value="catalog.ExamYear">年度</option>' in response.content.decode()
