"""交叉审核: the rules read from prereg.orgs.selectors, by the page, the acts and routing alike."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from prereg.orgs import selectors
from prereg.orgs import services as org_services
from prereg.orgs.models import Org
from prereg.orgs.stages import Stage
from tests.factories import CrossReviewAssignmentFactory, ExamYearFactory


def _accepted(actor, year, stage, source, target) -> bool:
    """Whether cross_review_assign takes the pair (nothing kept either way)."""
    try:
        with transaction.atomic():
            org_services.cross_review_assign(actor=actor, exam_year=year, stage=stage, source_id=source.pk,
                                             target_id=target.pk)
            transaction.set_rollback(True)
    except (PermissionDenied, ValidationError):
        return False
    return True


def test_the_page_offers_exactly_the_orgs_the_assignment_accepts(client, tree, year, reviewer_fuzhou,
                                                                 reviewer_lianjiang_hospital):
    Org.objects.filter(code="35010001").update(enabled=False)
    client.force_login(reviewer_fuzhou)
    form = client.get(reverse("backoffice:cross_review")).context["form"]
    offered = set(form.fields["target"].queryset.values_list("code", flat=True))
    assert offered == set(form.fields["source"].queryset.values_list("code", flat=True))
    # A target without an active reviewer account is listed, marked, and refused (selectors.unstaffed_refusal).
    codes = dict(Org.objects.values_list("pk", "code"))
    marked = {codes[int(str(pk))] for pk, label in form.fields["target"].choices if pk and "（无可用审核账号）" in label}
    cases = {
        "35012205": True,   # 连江县医院: a unit with the review right, and its reviewer account
        "350123": False,    # 罗源县卫生健康局: a 报名点 without a reviewer account
        "35012201": False,  # 连江县妇幼保健院: a unit without it reviews nothing
        "35010001": False,  # disabled
        "350524": False,    # 安溪 is 泉州's, not 福州's
    }
    for code, expected in cases.items():
        accepted = _accepted(reviewer_fuzhou, year, Stage.UNIT_REVIEW, tree["350122"], tree[code])
        assert (code in offered and code not in marked, accepted) == (expected, expected), code
    assert "350123" in marked and "35012205" not in marked


def test_an_org_hands_over_the_site_review_of_orgs_below_it_never_its_own(tree, year, reviewer_fuzhou,
                                                                           reviewer_province, reviewer_quanzhou):
    with pytest.raises(PermissionDenied):  # the province is a 考点 too
        org_services.cross_review_assign(actor=reviewer_province, exam_year=year, stage=Stage.SITE_REVIEW,
                                         source_id=tree["350000"].pk, target_id=tree["350100"].pk)
    assignment = org_services.cross_review_assign(actor=reviewer_province, exam_year=year, stage=Stage.SITE_REVIEW,
                                                  source_id=tree["350100"].pk, target_id=tree["350500"].pk)
    # Made above 福州, about 福州: 福州 sees it but may not take it back; the 考区 may.
    assert assignment in selectors.assignments_over(tree["350100"], year)
    with pytest.raises(PermissionDenied):
        org_services.cross_review_revoke(actor=reviewer_fuzhou, assignment_id=assignment.pk)
    org_services.cross_review_revoke(actor=reviewer_province, assignment_id=assignment.pk)
    assert not selectors.assignments_over(tree["350100"], year).exists()


def test_the_page_offers_to_revoke_only_what_the_viewer_may_revoke(client, tree, year, reviewer_fuzhou,
                                                                    reviewer_province, reviewer_quanzhou,
                                                                    reviewer_lianjiang_hospital):
    above = org_services.cross_review_assign(actor=reviewer_province, exam_year=year, stage=Stage.SITE_REVIEW,
                                             source_id=tree["350100"].pk, target_id=tree["350500"].pk)
    own = org_services.cross_review_assign(actor=reviewer_fuzhou, exam_year=year, stage=Stage.UNIT_REVIEW,
                                           source_id=tree["350122"].pk, target_id=tree["35012205"].pk)
    client.force_login(reviewer_fuzhou)
    html = client.get(reverse("backoffice:cross_review")).content.decode()
    assert reverse("backoffice:cross_review_revoke", args=[own.pk]) in html
    assert reverse("backoffice:cross_review_revoke", args=[above.pk]) not in html and "由上级分配" in html
    client.force_login(reviewer_province)
    assert reverse("backoffice:cross_review_revoke", args=[above.pk]) in \
        client.get(reverse("backoffice:cross_review")).content.decode()


def test_an_org_reviews_the_subtrees_assigned_to_it_for_that_year_only(tree, year, reviewer_province):
    lianjiang, gulou = tree["350122"], tree["350102"]
    assert selectors.reviewed_subtree_paths(lianjiang, year) == [lianjiang.path]
    assignment = CrossReviewAssignmentFactory(exam_year=year, stage=Stage.POINT_CONFIRM, source=gulou,
                                              target=lianjiang, assigned_by=reviewer_province)
    assert selectors.reviewed_subtree_paths(lianjiang, year) == [lianjiang.path, gulou.path]
    assert selectors.reviewed_subtree_paths(lianjiang, ExamYearFactory(year=year.year + 1)) == [lianjiang.path]
    assigned = selectors.assigned_to(lianjiang)
    assert selectors.reviews_by_assignment(assigned, year.pk, Stage.POINT_CONFIRM, tree["35010201"].path)  # 鼓楼's
    assert not selectors.reviews_by_assignment(assigned, year.pk, Stage.POINT_CONFIRM, tree["35012205"].path)
    assert not selectors.reviews_by_assignment(assigned, year.pk, Stage.SITE_REVIEW, tree["35010201"].path)
    assert not selectors.reviews_by_assignment(assigned, year.pk + 1, Stage.POINT_CONFIRM, tree["35010201"].path)
    assignment.active = False
    assignment.save()
    assert selectors.reviewed_subtree_paths(lianjiang, year) == [lianjiang.path]
    # What it was handed keeps the mark: applications routed by it keep their chain.
    assert selectors.reviews_by_assignment(selectors.assigned_to(lianjiang), year.pk, Stage.POINT_CONFIRM,
                                           tree["35010201"].path)
