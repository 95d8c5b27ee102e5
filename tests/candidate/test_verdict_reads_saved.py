"""The 资格初审 hint under 申报信息 is judged on the saved declaration (phone-journey probe: after a refused
save it read 尚未选择拟申报资格 while the selects showed 护师, without saying why): it says so."""

import re

import pytest
from django.urls import reverse

from tests.candidate.test_row_maximum import _save
from tests.factories import complete_application


@pytest.fixture
def application(client, year, tree, candidate):
    client.force_login(candidate)
    return complete_application(candidate, year, tree)


def _verdict(body):
    return re.search(r'<div class="message[^"]*verdict".*?</div>\s*<small[^>]*>.*?</small>', body, re.S).group(0)


def _declaration(application, **changes):
    return {"decl-level": application.level_id, "decl-qualification": application.qualification_id,
            "decl-category": application.category_id, "decl-scope": application.scope_id or "",
            "decl-specialty": application.specialty_id, "decl-practice_change": "无",
            "decl-current_qualification": "无", "decl-current_qualification_date": "",
            "decl-practice_registered": "2017-03", **changes}


def test_the_qualification_hint_says_it_reads_the_saved_information(client, application):
    assert "已保存" in _save(client, "declaration", _declaration(application))
    assert "按已保存的信息" in _verdict(client.get(reverse("candidate:form")).content.decode())


def test_after_a_refused_declaration_save_the_hint_says_it_is_not_what_the_selects_show(client, application):
    _save(client, "declaration", _declaration(application))
    body = _save(client, "declaration", _declaration(application, **{"decl-specialty": ""}))
    assert "未保存：" in body  # refused: no 申报专业
    assert "按已保存的信息判断" in _verdict(body).split("</strong>")[0]
