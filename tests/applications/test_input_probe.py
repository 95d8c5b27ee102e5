"""Hostile input at the review (修改填报信息, 同意, 不同意, 批量提交) and at the candidate's 工作经历.

The probe: a correction emptied 姓名 and the other values the candidate's form requires with no
message; a NUL in a reason, an opinion or a corrected value was a 500 on PostgreSQL (its text cannot
hold one) and on SQLite went into the candidate's page and SMS; a reason of zero-width spaces returned
the application with an empty reason; a work row begun in 0001-01 was kept for a candidate born in
1990 (and shown back as "1-01").
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from prereg.applications import services, values
from prereg.applications.models import Application, ReviewLog, Stage, State, WorkRow
from prereg.candidate.forms import WorkForm, YearDicts, row_formset
from prereg.notify.models import SmsMessage
from tests.factories import WorkRowFactory, approve, formset_data, submitted, tick_all

BORN = datetime.date(1990, 1, 1)  # the factories' ID numbers are of 1990-01-01
NUL_REFUSED = "不能包含空字符"


@pytest.fixture
def app(tree, year, reviewer_anxi_hospital):
    """A submitted application at 单位审查 with every value the candidate's form asks for, and a work row."""
    application = submitted(tree, year, birth_date=BORN, postcode="362400", address="福建省安溪县凤城镇",
                            chsi_code="090888693519", practice_change="无",
                            practice_registered=datetime.date(2017, 3, 1))
    WorkRowFactory(application=application)
    return Application.objects.get(pk=application.pk)


def _work_key(application, column):
    return f"work:{WorkRow.objects.get(application=application).pk}.{column}"


def _edit(client, reviewer, application, **posted):
    client.force_login(reviewer)
    return client.post(reverse("backoffice:review_edit", args=[application.pk]),
                       {"version": application.version, **posted})


def _unchanged(application):
    assert not ReviewLog.objects.filter(application=application, action="edit").exists()
    assert Application.objects.get(pk=application.pk).version == application.version


# 1. A correction cannot empty what the candidate's form requires -----------------------------------

@pytest.mark.parametrize("field, label", [("name", "姓名"), ("id_number", "证件编号"), ("postcode", "邮编"),
                                          ("address", "联系地址"), ("chsi_code", "学信网在线验证码")])
@pytest.mark.parametrize("blank", ["", "\u3000", "\u200b"])
def test_a_correction_cannot_empty_a_value_the_candidates_form_requires(client, app, reviewer_anxi_hospital,
                                                                         field, label, blank):
    before = getattr(app, field)
    response = _edit(client, reviewer_anxi_hospital, app, **{field: blank})
    assert response.status_code == 400
    assert f"请填写“{label}”。" in response.content.decode()
    assert getattr(Application.objects.get(pk=app.pk), field) == before
    _unchanged(app)


def test_the_qualification_date_is_required_while_a_qualification_is_held(app, reviewer_anxi_hospital):
    with pytest.raises(ValidationError) as error:
        services.application_edit(actor=reviewer_anxi_hospital, application_id=app.pk,
                                  expected_version=app.version, changes={"current_qualification_date": ""})
    assert error.value.message_dict == {"current_qualification_date": ["请填写“现有资格取得年月”。"]}
    _unchanged(app)


def test_what_the_candidate_may_leave_blank_a_reviewer_may_clear(app, reviewer_anxi_hospital):
    services.application_edit(actor=reviewer_anxi_hospital, application_id=app.pk, expected_version=app.version,
                              changes={"practice_registered": "", "practice_change": "", "current_qualification": "",
                                       "current_qualification_date": "", _work_key(app, "title"): ""})
    app.refresh_from_db()
    assert (app.practice_registered, app.practice_change, app.current_qualification,
            app.current_qualification_date) == (None, "", "", None)
    assert WorkRow.objects.get(application=app).title == ""


def test_a_qualification_date_without_a_qualification_is_refused_as_the_form_refuses_it(app,
                                                                                       reviewer_anxi_hospital):
    with pytest.raises(ValidationError) as error:
        services.application_edit(actor=reviewer_anxi_hospital, application_id=app.pk,
                                  expected_version=app.version, changes={"current_qualification": ""})
    assert "现有资格为“无”时不填“现有资格取得年月”" in error.value.message_dict["current_qualification_date"][0]
    _unchanged(app)


# 2. NUL is refused at its field wherever text is read from a post -----------------------------------

def test_a_reason_holding_a_nul_is_refused_and_nothing_is_returned(client, app, reviewer_anxi_hospital):
    with pytest.raises(ValidationError, match=NUL_REFUSED):
        services.application_reject(actor=reviewer_anxi_hospital, application_id=app.pk,
                                    expected_version=app.version, reason="a\x00b", to="candidate")
    client.force_login(reviewer_anxi_hospital)
    response = client.post(reverse("backoffice:review_decide", args=[app.pk]),
                           {"version": app.version, "decision": "reject", "to": "candidate", "reason": "a\x00b"})
    assert response.status_code == 400 and f"不通过原因：{NUL_REFUSED}" in response.content.decode()
    after = Application.objects.get(pk=app.pk)
    assert (after.state, after.returned_reason) == (State.IN_REVIEW, "")
    assert not SmsMessage.objects.filter(purpose="returned").exists()


def test_an_opinion_holding_a_nul_is_refused_and_nothing_is_approved(client, app, reviewer_anxi_hospital):
    tick_all(app, reviewer_anxi_hospital)
    app.refresh_from_db()
    client.force_login(reviewer_anxi_hospital)
    response = client.post(reverse("backoffice:review_decide", args=[app.pk]),
                           {"version": app.version, "decision": "approve", "opinion": "同意\x00"})
    assert response.status_code == 400 and f"审核意见：{NUL_REFUSED}" in response.content.decode()
    assert Application.objects.get(pk=app.pk).stage == Stage.UNIT_REVIEW


def test_a_batch_opinion_holding_a_nul_is_refused_once_and_nothing_is_approved(
        client, app, reviewer_anxi_hospital, reviewer_anxi_bureau, reviewer_quanzhou):
    approve(app, reviewer_anxi_hospital)
    approve(app, reviewer_anxi_bureau)
    tick_all(app, reviewer_quanzhou)
    app.refresh_from_db()
    client.force_login(reviewer_quanzhou)
    response = client.post(reverse("backoffice:batch_approve"),
                           {"items": [f"{app.pk}:{app.version}"], "opinion": "a\x00b"}, follow=True)
    body = response.content.decode()
    assert response.status_code == 200 and body.count(f"审核意见：{NUL_REFUSED}") == 1
    assert not Application.objects.get(pk=app.pk).awaiting_forward


@pytest.mark.parametrize("column", ["address", "work.unit_name", "work.title", "name", "current_qualification"])
def test_a_corrected_value_holding_a_nul_is_refused_at_its_field(client, app, reviewer_anxi_hospital, column):
    key = _work_key(app, column.partition(".")[2]) if column.startswith("work.") else column
    response = _edit(client, reviewer_anxi_hospital, app, **{key: "a\x00b"})
    assert response.status_code == 400
    with pytest.raises(ValidationError) as error:
        services.application_edit(actor=reviewer_anxi_hospital, application_id=app.pk,
                                  expected_version=app.version, changes={key: "a\x00b"})
    assert NUL_REFUSED in error.value.message_dict[key][0]
    _unchanged(app)


# 3. Text that shows nothing is no text ----------------------------------------------------------------

def test_a_reason_of_zero_width_spaces_is_no_reason(app, reviewer_anxi_hospital):
    with pytest.raises(ValidationError, match="不同意时必须填写不通过原因。"):
        services.application_reject(actor=reviewer_anxi_hospital, application_id=app.pk,
                                    expected_version=app.version, reason="\u200b\u200b", to="candidate")
    assert Application.objects.get(pk=app.pk).state == State.IN_REVIEW
    assert not SmsMessage.objects.filter(purpose="returned").exists()


def test_an_opinion_of_zero_width_spaces_is_the_default_opinion(app, reviewer_anxi_hospital):
    tick_all(app, reviewer_anxi_hospital)
    app.refresh_from_db()
    services.application_approve(actor=reviewer_anxi_hospital, application_id=app.pk, expected_version=app.version,
                                 opinion="\u200b\ufeff ")
    assert ReviewLog.objects.get(application=app, action="approve").opinion == services.DEFAULT_OPINION


def test_clean_text_keeps_what_shows_and_blanks_what_does_not():
    assert values.clean_text("  福建\u200b省 ") == "福建省"  # invisible characters go (core.validators.INVISIBLE_RE)
    assert values.clean_text("\u200b\u200c\u200d\u2060\ufeff\u3000 \n") == ""
    with pytest.raises(ValidationError, match=NUL_REFUSED):
        values.clean_text("\x00")


# 4. No date of one's own life before one's birth -----------------------------------------------------

def _work_formset(year, *rows, birth_date=BORN):
    formset_class = row_formset(WorkForm, min_num=1)
    return formset_class(formset_data("work", *rows), queryset=WorkRow.objects.none(), prefix="work",
                         year=year, dicts=YearDicts(year), birth_date=birth_date)


def _work_row(start):
    return {"unit_name": "安溪县医院", "title": "护师", "start": start, "end": "", "major": "护理"}


@pytest.mark.parametrize("start", ["0001-01", "1900-01", "1989-12", "1990-01"])
def test_the_candidates_work_row_begun_before_his_birth_is_refused_at_its_start(year, start):
    formset = _work_formset(year, _work_row(start))
    assert not formset.is_valid()
    assert formset.forms[0].errors == {"start": ["开始时间应晚于出生日期。"]}


def test_a_work_row_begun_after_the_birth_or_without_a_birth_date_yet_is_taken(year):
    assert _work_formset(year, _work_row("2012-08")).is_valid()
    assert _work_formset(year, _work_row("1900-01"), birth_date=None).is_valid()


def test_the_work_section_refuses_the_probes_start_and_saves_nothing(client, year, tree, candidate):
    from prereg.applications.carryover import start_application

    client.force_login(candidate)
    application = start_application(candidate=candidate, exam_year=year)
    assert application.birth_date == BORN
    body = client.post(reverse("candidate:section", args=["work"]),
                       {"version": application.version, **formset_data("work", _work_row("0001-01"))},
                       HTTP_HX_REQUEST="true").content.decode()
    assert "开始时间应晚于出生日期。" in body and "已保存" not in body
    assert not WorkRow.objects.filter(application=application).exists()


@pytest.mark.parametrize("start", ["0001-01", "1900-01"])
def test_a_correction_cannot_date_a_work_row_or_a_registration_before_the_birth(app, reviewer_anxi_hospital, start):
    key = _work_key(app, "start")
    with pytest.raises(ValidationError) as error:
        services.application_edit(actor=reviewer_anxi_hospital, application_id=app.pk,
                                  expected_version=app.version, changes={key: start, "practice_registered": start})
    assert error.value.message_dict == {key: ["开始时间应晚于出生日期。"],
                                        "practice_registered": ["执业注册年月应晚于出生日期。"]}
    assert WorkRow.objects.get(application=app).start == datetime.date(2012, 8, 1)
    _unchanged(app)


def test_a_year_before_1000_shows_with_its_four_digits():
    assert values.month_text(datetime.date(1, 1, 1)) == "0001-01"
