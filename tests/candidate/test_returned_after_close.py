"""A return after 省网填报 closed: the form page and the home's button do not invite a resubmission the form
would refuse (reviewer probe A, the parts on the candidate's form and home)."""

from html import unescape

from django.urls import reverse

from tests.backoffice.test_review_flow_round7 import _close_the_form, _day, _return_to_candidate
from tests.factories import submitted


def test_the_form_and_home_say_the_window_closed_for_a_return_after_it(client, tree, year, reviewer_anxi_hospital):
    app = submitted(tree, year, name="李娜")
    closed = _close_the_form(year)
    _return_to_candidate(app, reviewer_anxi_hospital)
    client.force_login(app.candidate)
    form = unescape(client.get(reverse("candidate:form")).content.decode())
    reason = form.split('<div class="message error returned-reason" role="alert">')[1].split("</div>")[0]
    assert "请按原因修改后重新提交" not in reason
    assert f"省网填报已于{_day(closed)}截止，不能再修改提交" in reason
    home = unescape(client.get(reverse("candidate:home")).content.decode())
    assert "继续填报" not in home and "查看报名信息" in home


def test_in_the_window_the_form_and_home_invite_the_fix(client, tree, year, reviewer_anxi_hospital):
    app = submitted(tree, year, name="李娜")
    _return_to_candidate(app, reviewer_anxi_hospital)
    client.force_login(app.candidate)
    assert "请按原因修改后重新提交" in unescape(client.get(reverse("candidate:form")).content.decode())
    assert "继续填报" in client.get(reverse("candidate:home")).content.decode()
