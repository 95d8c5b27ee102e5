"""The submit box of the form follows the candidate's project window, not only the year's."""

import datetime

from django.urls import reverse
from django.utils import timezone

from prereg.catalog.models import ExamProject
from tests.factories import complete_application


def test_a_project_with_its_own_closed_window_cannot_submit_from_the_form(client, year, tree, candidate):
    application = complete_application(candidate, year, tree)
    today = timezone.localdate()
    project = ExamProject.objects.create(exam_year=year, code="P1", name="护理项目",
                                         form_opens=today - datetime.timedelta(days=20),
                                         form_closes=today - datetime.timedelta(days=2))
    application.project = project
    application.save(update_fields=["project"])
    client.force_login(candidate)
    body = client.get(reverse("candidate:form")).content.decode()
    closes = project.form_closes
    # Closed two days ago: it does not open again (not 暂不能提交), and whom to ask.
    assert f"省网填报已于{closes.year}年{closes.month}月{closes.day}日截止，不能再提交" in body
    assert "请联系您所在单位或报名点" in body and "暂不能提交" not in body
    submit = body.split('id="submit"')[1]
    assert "disabled" in submit.split("data-confirm")[0]
    # Said at the top of the form as well, not only in the submit box at the end of a long page.
    top = body.split("<h1>")[1].split('id="section-basic"')[0]
    assert "data-form-closed" in top and f"省网填报已于{closes.year}年{closes.month}月{closes.day}日截止" in top


def test_the_years_open_window_lets_a_complete_application_submit(client, year, tree, candidate):
    complete_application(candidate, year, tree)
    client.force_login(candidate)
    body = client.get(reverse("candidate:form")).content.decode()
    assert "当前不在省网填报时间内" not in body and "data-form-closed" not in body
    submit = body.split('id="submit"')[1]
    assert "disabled" not in submit.split("data-confirm")[0]
