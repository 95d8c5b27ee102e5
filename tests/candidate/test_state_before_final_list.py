"""Approved by the 考区 but not yet in its 汇总提交 (the final list): the candidate's status says so, as the
reviewers' lists do (待汇总提交), instead of a bare 审核通过 the 考区 may still take back (reviewer probe)."""

from django.urls import reverse

from prereg.applications.models import Application, Stage, State
from tests.factories import complete_application


def test_the_candidate_reads_approved_awaiting_the_districts_final_list(client, year, tree, candidate):
    application = complete_application(candidate, year, tree)
    Application.objects.filter(pk=application.pk).update(state=State.APPROVED, stage=Stage.DISTRICT_RECHECK,
                                                         awaiting_forward=True)
    client.force_login(candidate)
    for url in ("candidate:home", "candidate:progress"):
        assert "审核通过（待考区汇总提交）" in client.get(reverse(url)).content.decode(), url
    Application.objects.filter(pk=application.pk).update(awaiting_forward=False)
    for url in ("candidate:home", "candidate:progress"):
        body = client.get(reverse(url)).content.decode()
        assert "审核通过" in body and "待考区汇总提交" not in body, url
