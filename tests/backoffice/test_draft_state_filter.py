"""The 状态 filter's 草稿 for reviewers (已审信息, 考生信息导出): it finds the submissions their
candidates withdrew, the only drafts a reviewer sees, and is named for them (the reviewer-flow
probe took it for a choice that always gives nothing and would have dropped it)."""

from django.urls import reverse

from prereg.applications import services
from prereg.applications.selectors import applications_for
from prereg.backoffice.filters import ApplicationFilterForm, ListFilterForm, describe
from tests.factories import approve, make_application, submitted


def test_a_reviewer_filtering_drafts_finds_the_withdrawn_submissions(tree, year, reviewer_anxi_hospital):
    withdrawn = submitted(tree, year, name="李娜")
    services.application_withdraw(actor=withdrawn.candidate, application_id=withdrawn.pk)
    make_application(tree, year, "35052401", "draft")  # never submitted: nobody's but the candidate's
    form = ApplicationFilterForm({"state": "draft"}, user=reviewer_anxi_hospital)
    assert list(applications_for(reviewer_anxi_hospital, form.as_json())) == [withdrawn]


def test_a_decided_application_withdrawn_after_a_return_is_a_draft_in_reviewed(client, tree, year,
                                                                              reviewer_anxi_hospital,
                                                                              reviewer_anxi_bureau):
    application = submitted(tree, year, name="李娜")
    approve(application, reviewer_anxi_hospital)
    application.refresh_from_db()
    services.application_reject(actor=reviewer_anxi_bureau, application_id=application.pk, reason="学历证书不清晰",
                                to="candidate", expected_version=application.version)
    services.application_submit(actor=application.candidate, application_id=application.pk)
    services.application_withdraw(actor=application.candidate, application_id=application.pk)
    client.force_login(reviewer_anxi_hospital)
    assert "李娜" in client.get(reverse("backoffice:reviewed"), {"state": "draft"}).content.decode()


def test_the_state_filter_names_the_reviewers_drafts_withdrawn(client, tree, year, reviewer_anxi_hospital):
    for form in (ApplicationFilterForm(user=reviewer_anxi_hospital), ListFilterForm(user=reviewer_anxi_hospital)):
        assert dict(form.fields["state"].choices)["draft"] == "已撤回（草稿）"
    assert describe({"state": "draft"}) == "状态：已撤回（草稿）"
    client.force_login(reviewer_anxi_hospital)
    assert '<option value="draft">已撤回（草稿）</option>' in client.get(reverse("backoffice:exports")).content.decode()
