"""通知公告's 对象 reads as the reviewer manual (八) names it: 考生及审核人员 / 仅考生 / 仅审核人员."""

import re

from django.urls import reverse

from prereg.catalog.models import Announcement


def _options(body) -> list[tuple[str, str]]:
    select = body.split('name="audience"')[1].split("</select>")[0]
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)


def test_the_audience_choices_read_as_the_manual_names_them(client, year, reviewer_province):
    client.force_login(reviewer_province)
    body = client.get(reverse("backoffice:announcement_new")).content.decode()
    assert _options(body) == [("all", "考生及审核人员"), ("candidates", "仅考生"), ("reviewers", "仅审核人员")]


def test_a_notice_for_reviewers_only_is_saved_with_that_audience(client, year, reviewer_province):
    client.force_login(reviewer_province)
    response = client.post(reverse("backoffice:announcement_new"), {
        "title": "审核培训", "kind": "notice", "audience": "reviewers", "exam_year": year.pk, "body": "正文"})
    assert response.status_code == 302
    assert Announcement.objects.get(title="审核培训").audience == Announcement.Audience.REVIEWERS
    body = client.get(reverse("backoffice:announcement_edit",
                              args=[Announcement.objects.get(title="审核培训").pk])).content.decode()
    assert re.search(r'<option value="reviewers" selected>仅审核人员</option>', body)
