"""A 申报专业 (or level, qualification, category, scope) the 考区 disables after a candidate chose it is no longer
offered by the form, and is not submitted either: the draft is told to choose again (race probe: a candidate
submitted with a specialty disabled moments before, while a disabled unit is refused)."""

import pytest
from django.core.exceptions import ValidationError

from prereg.applications import completeness, services
from prereg.applications.models import Application, State
from tests.factories import CandidateFactory, complete_application


@pytest.mark.parametrize("field", ["specialty", "qualification", "level", "category"])
def test_a_choice_disabled_since_is_a_gap_in_the_declaration(tree, year, field):
    application = complete_application(CandidateFactory(), year, tree)
    assert completeness.missing(application) == []
    chosen = getattr(application, field)
    type(chosen).objects.filter(pk=chosen.pk).update(enabled=False)
    application = Application.objects.get(pk=application.pk)
    label = Application._meta.get_field(field).verbose_name
    assert [(gap.section, gap.message) for gap in completeness.gaps(application)] == [
        ("declaration", f"申报信息：所选“{label}”已停用，请重新选择。")]


def test_the_submission_of_a_disabled_specialty_is_refused(tree, year):
    candidate = CandidateFactory()
    application = complete_application(candidate, year, tree)
    type(application.specialty).objects.filter(pk=application.specialty_id).update(enabled=False)
    with pytest.raises(ValidationError) as refused:
        services.application_submit(actor=candidate, application_id=application.pk,
                                     check_complete=completeness.missing)
    assert "已停用" in str(refused.value)
    assert Application.objects.get(pk=application.pk).state == State.DRAFT
