"""A carried-over draft whose last-year unit is disabled says so at its unit field (exam-year probe L6):
it read 单位名称：尚未选择 with no word why."""

from django.urls import reverse

from prereg.applications.carryover import start_application
from prereg.applications.models import State
from prereg.audit.models import AuditEvent
from prereg.orgs.models import Org
from tests.factories import ApplicationFactory, make_year


def test_a_carried_over_draft_whose_unit_was_disabled_says_so_at_the_unit_field(client, tree, candidate):
    old = make_year(2027)
    ApplicationFactory(candidate=candidate, exam_year=old, unit=tree["35052401"], state=State.APPROVED)
    Org.objects.filter(pk=tree["35052401"].pk).update(enabled=False)
    new = make_year(2028, current=True)
    draft = start_application(candidate=candidate, exam_year=new)
    assert draft.unit is None
    name = tree["35052401"].name
    start = AuditEvent.objects.get(event="application.start")
    assert start.details["unit_disabled"] == name
    client.force_login(candidate)
    body = client.get(reverse("candidate:form")).content.decode()
    picker = body.split('class="field unit-picker')[1].split('id="unit-q"')[0]
    assert f"您2027年度报名时所选单位“{name}”已停用，请重新选择。" in picker


def test_the_note_goes_once_a_unit_is_chosen_and_is_not_shown_for_an_enabled_unit(client, tree, candidate):
    old = make_year(2027)
    ApplicationFactory(candidate=candidate, exam_year=old, unit=tree["35052401"], state=State.APPROVED)
    new = make_year(2028, current=True)
    draft = start_application(candidate=candidate, exam_year=new)
    client.force_login(candidate)
    assert draft.unit == tree["35052401"] and "已停用" not in client.get(reverse("candidate:form")).content.decode()
    Org.objects.filter(pk=tree["35052401"].pk).update(enabled=False)
    type(draft).objects.filter(pk=draft.pk).update(unit=tree["35012205"])
    assert "已停用，请重新选择" not in client.get(reverse("candidate:form")).content.decode()
