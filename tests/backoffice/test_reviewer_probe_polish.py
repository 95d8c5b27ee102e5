"""Reviewer-journey probe, the small things a reviewer reads: the exports page's words (F4, F5), the
download names (F6), the withdraw confirmation of an announcement (F7), the required org picker (F8)
and a stale 汇总提交 (F10). F9 (the reason box after a 否) is in test_reviewer_probe_polish_browser.py."""

import re
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone

from prereg.applications import review, services
from prereg.applications.models import ForwardBatch
from prereg.catalog.models import Announcement
from prereg.exports.models import ExportKind
from tests.factories import ExportJobFactory, approve, submitted


def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- F4: the images zip's help, as the zip names its files, to those offered it ----------------------------


def test_the_exports_page_names_the_images_as_the_zip_does(client, tree, year, reviewer_quanzhou):
    html = _page(client, reviewer_quanzhou, reverse("backoffice:exports"))
    assert "报名号_姓名_字段" not in html
    assert "每名考生一个文件夹（“报名号_姓名”）" in html and "“学历证书1”" in html and "“身份证正面”" in html


def test_the_images_help_is_not_shown_to_those_who_may_not_ask_for_the_zip(client, tree, year,
                                                                           reviewer_anxi_bureau):
    html = _page(client, reviewer_anxi_bureau, reverse("backoffice:exports"))
    assert 'value="images"' not in html
    assert "证件图片" not in html


# --- F5: 我的导出 counts each kind in its own unit ----------------------------------------------------------


def test_my_exports_say_what_each_count_counts(client, tree, year, reviewer_quanzhou):
    for kind, rows in ((ExportKind.APPLICATIONS, 281), (ExportKind.IMAGES, 7), (ExportKind.CONFIRMATIONS, 6),
                       (ExportKind.RECONCILE, 12)):
        ExportJobFactory(owner=reviewer_quanzhou, kind=kind, row_count=rows)
    running = ExportJobFactory(owner=reviewer_quanzhou, running=True)
    html = _page(client, reviewer_quanzhou, reverse("backoffice:exports"))
    counts = re.findall(r"<td>(\d+[^\d<]+)</td>", html)
    assert counts == ["12行", "6份确认单", "7张图片", "281条报名信息"]
    assert "<th>数量</th>" in html
    # The polled row of a running job shows no count until it has one.
    row = _page(client, reviewer_quanzhou, reverse("backoffice:export_status", args=[running.pk]))
    assert "None" not in row


# --- F6: every download is named in Chinese with its time, as the exports are ------------------------------


def _download_name(response) -> str:
    """The name the browser saves the file as (RFC 6266 filename*, UTF-8 percent-encoded)."""
    assert response.status_code == 200, response.content[:300]
    encoded = re.search(r"filename\*=utf-8''(\S+)", response["Content-Disposition"])
    assert encoded, response["Content-Disposition"]
    return unquote(encoded.group(1))


@pytest.mark.parametrize(("who", "url", "expected"), [
    ("auditor", lambda year: reverse("backoffice:audit_export"), r"审计日志_\d{12}\.csv"),
    ("reviewer_province", lambda year: reverse("backoffice:orgs_export"), r"机构_350000_\d{12}\.xlsx"),
    ("reviewer_province", lambda year: reverse("backoffice:orgs_export") + "?format=csv", r"机构_350000_\d{12}\.csv"),
    ("reviewer_province", lambda year: reverse("backoffice:accounts_template"), r"审核账号_350000_\d{12}\.csv"),
    ("reviewer_province", lambda year: reverse("backoffice:year_catalogue_download", args=[year.pk]),
     r"字典_\d{4}年度_\d{12}\.xlsx"),
    ("reviewer_province", lambda year: reverse("backoffice:year_rules", args=[year.pk]) + "?download=1",
     r"资格规则_\d{4}年度_\d{12}\.csv"),
])
def test_downloads_are_named_in_chinese_with_their_time(request, client, tree, year, who, url, expected):
    client.force_login(request.getfixturevalue(who))
    name = _download_name(client.get(url(year)))
    assert re.fullmatch(expected, name), name


# --- F7: withdrawing a notice says who will no longer see it -----------------------------------------------


def test_withdrawing_a_notice_says_who_will_no_longer_see_it(client, year, reviewer_province):
    for title, audience in (("审核培训", "reviewers"), ("报名须知", "candidates"), ("时间安排", "all")):
        Announcement.objects.create(title=title, audience=audience, body="正文", published_at=timezone.now())
    html = _page(client, reviewer_province, reverse("backoffice:announcements"))
    confirms = dict(re.findall(r"<td>[^<]*?(审核培训|报名须知|时间安排)</td>.*?data-confirm=\"([^\"]+)\"", html, re.S))
    assert confirms == {"审核培训": "撤回后审核人员将看不到该通知，确定？", "报名须知": "撤回后考生将看不到该通知，确定？",
                        "时间安排": "撤回后考生及审核人员将看不到该通知，确定？"}


# --- F8: a required org picker does not offer "全部" -------------------------------------------------------


def _org_box_placeholder(html) -> str:
    return re.search(r'<input type="search"[^>]*name="org_q"[^>]*placeholder="([^"]*)"', html, re.S).group(1)


def test_the_required_org_picker_of_a_new_account_does_not_say_all(client, tree, year, reviewer_province):
    html = _page(client, reviewer_province, reverse("backoffice:accounts_add"))
    assert _org_box_placeholder(html) == "输入名称、简称或拼音首字母查找"


def test_the_org_filter_of_the_lists_still_says_all(client, tree, year, reviewer_province):
    html = _page(client, reviewer_province, reverse("backoffice:exports"))
    assert _org_box_placeholder(html) == "全部（输入名称、简称或拼音首字母查找）"


# --- F10: a stale 汇总提交 whose list emptied since says the list changed -----------------------------------


def test_summary_submit_from_a_stale_page_whose_items_were_recalled_says_the_list_changed(
        client, tree, year, reviewer_anxi_hospital, reviewer_anxi_bureau, reviewer_quanzhou):
    application = submitted(tree, year)
    for reviewer in (reviewer_anxi_hospital, reviewer_anxi_bureau, reviewer_quanzhou):
        approve(application, reviewer)
    page = _page(client, reviewer_quanzhou, reverse("backoffice:forward"))
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', page).group(1)
    application.refresh_from_db()
    services.application_recall(actor=reviewer_quanzhou, application_id=application.pk)  # in another tab
    body = client.post(reverse("backoffice:forward"), {"stage": "site", "digest": digest},
                       follow=True).content.decode()
    assert "打开本页后待汇总提交的报名信息有变化（他人审核通过或撤办），未提交。" in body
    assert not ForwardBatch.objects.exists()
    # With nothing listed on the page either, nothing changed: the plain refusal.
    empty = review.forward_digest([])
    body = client.post(reverse("backoffice:forward"), {"stage": "site", "digest": empty}, follow=True).content.decode()
    assert "没有待汇总提交的报名信息。" in body and "有变化" not in body
