"""The manuals as pages, with the screenshots taken by `python -m tools.manual_screenshots`."""

import re

import lxml.html
import pytest
from django.urls import reverse

from prereg.catalog import markup

REFERENCE = re.compile(r"^!\[[^\]]*\]\(manual/([^)]+)\)$", re.MULTILINE)


def referenced(which):
    _title, filename = markup.MANUALS[which]
    return REFERENCE.findall((markup.DOCS_DIR / filename).read_text(encoding="utf-8"))


@pytest.mark.parametrize("which", ["candidate", "reviewer"])
def test_every_screenshot_a_manual_references_exists_and_is_small(which):
    names = referenced(which)
    assert len(names) >= 8
    for name in names:
        path = markup.MANUAL_STATIC_DIR / name
        assert path.is_file(), f"{which} manual references missing {name}"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert path.stat().st_size <= 150 * 1024, f"{name} is {path.stat().st_size // 1024} KB"


@pytest.mark.parametrize(("which", "user"), [("candidate", "candidate"), ("reviewer", "reviewer_province")])
def test_the_manual_page_shows_every_screenshot(db, client, request, which, user):
    client.force_login(request.getfixturevalue(user))
    response = client.get(reverse("backoffice:manual", args=[which]))
    assert response.status_code == 200
    shots = lxml.html.fromstring(response.content).xpath('//figure[@class="manual-shot"]/img/@src')
    assert shots == [f"/static/manual/{name}" for name in referenced(which)]


def test_the_screenshots_are_static_files_collected_for_whitenoise():
    from django.contrib.staticfiles import finders

    assert finders.find("manual/login.png") == str(markup.MANUAL_STATIC_DIR / "login.png")
    assert finders.find("manual/manual.css")


def test_an_image_line_renders_a_figure_with_escaped_caption():
    html = markup.render('![登录页 <b>"x"</b>](manual/login.png)')
    assert html.startswith('<figure class="manual-shot">')
    img, caption = lxml.html.fragment_fromstring(html)
    assert img.get("src") == "/static/manual/login.png"
    assert img.get("alt") == caption.text == '登录页 <b>"x"</b>'  # the markup is text, not a <b>
    assert "&lt;b&gt;" in html


@pytest.mark.parametrize("line", [
    "![x](../../config/settings.py)",
    "![x](manual/../prereg/login.png)",
    "![x](/etc/passwd.png)",
    "![x](http://evil.example/login.png)",
    "![x](//evil.example/login.png)",
    "![x](manual/does-not-exist.png)",
    "![x](prereg/app.css)",
    "![x](manual/login.png) trailing",
    '![x](manual/login.png" onerror="alert(1))',
    "![x](manual/Login.PNG)",
])
def test_the_image_syntax_refuses_anything_outside_the_manual_folder(line):
    html = markup.render(line)
    rendered = lxml.html.fragment_fromstring(html, create_parent="div")
    assert [element.tag for element in rendered.iter()] == ["div", "p"]  # no <img>, no <figure>, no onerror
    assert rendered.text_content() == line  # shown as text
