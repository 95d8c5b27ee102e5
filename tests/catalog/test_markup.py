"""What the 考区 writes into a notice reaches the candidate's home page as Markdown cleaned by nh3."""

import datetime

import lxml.html
from django.urls import reverse

from prereg.catalog import markup, services
from tests.factories import make_year

HOSTILE = """## 报名须知
<script>alert("script")</script>
<p onclick="alert('onclick')" style="color: red">点此报名</p>
<a href="javascript:alert('raw link')" onclick="alert('onclick')">入口</a>
<img src="x.png" onerror="alert('onerror')">

[报名入口](javascript:alert('markdown link')) [入口](JaVaScRiPt:alert('case')) [官网](https://www.21wecan.com)

| 项目 | 说明 |
| :--- | ---: |
| 照片 | 一张 |
"""


def test_a_script_an_onclick_and_a_javascript_link_in_a_notice_never_reach_the_page(
    client, candidate, reviewer_province
):
    make_year(datetime.date.today().year + 1, current=True, catalogue=False)
    notice = services.announcement_save(
        actor=reviewer_province, title="须知", body=HOSTILE, kind="notice", audience="all"
    )
    services.announcement_publish(actor=reviewer_province, announcement_id=notice.pk)
    client.force_login(candidate)
    page = lxml.html.fromstring(client.get(reverse("candidate:home")).content)

    [body] = page.xpath('//div[@class="notice-body"]')
    assert body.xpath("h3")[0].text == "报名须知" and body.xpath(".//table")  # the Markdown is rendered
    assert not body.xpath(".//script | .//img | .//@style")  # the CSP allows no inline style either
    assert not page.xpath('//@*[starts-with(name(), "on")]')
    assert not [script for script in page.iter("script") if "alert" in (script.text or "")]
    hrefs = page.xpath("//a/@href")
    assert not [href for href in hrefs if "alert" in href]
    assert "<script>" in body.text_content()  # what was typed is shown, as text
    [website] = body.xpath('.//a[@href="https://www.21wecan.com"]')
    assert "noopener" in website.get("rel").split()


def test_a_link_keeps_http_https_mailto_and_relative_addresses_only():
    html = markup.render(
        "[a](https://a.cn) [b](http://b.cn) [c](mailto:c@c.cn) [d](/manual/candidate/) "
        "[e](data:text/html,x) [f](vbscript:x) [g](javascript:x)"
    )
    links = lxml.html.fragment_fromstring(html).xpath("//a")
    assert [link.get("href") for link in links] == [
        "https://a.cn",
        "http://b.cn",
        "mailto:c@c.cn",
        "/manual/candidate/",
        None,
        None,
        None,
    ]
