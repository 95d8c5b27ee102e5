"""Image uploads and deletions under real races (PostgreSQL): from a page loaded before a submit,
and several uploads to one slot at once.

Each round: the candidate's form page is loaded; in one tab he submits and, once told it is done,
withdraws (so the form is editable again, at a later version); in the other tab the page loaded
before the submit uploads or deletes an image. Whatever the order, nothing from that page lands
after the submit: it landed before it, or it was refused.
"""

import random
import re
import threading
from collections import Counter
from functools import partial

import pytest
from django.urls import reverse

from prereg.applications import images, services
from prereg.applications.models import ApplicationImage, EducationRow, State
from prereg.audit.models import AuditEvent
from tests.applications.test_one_writer_races import assert_consistent, candidate_client, done, race
from tests.concurrency import at_once
from tests.factories import CandidateFactory, complete_application, jpeg_upload

ROUNDS = 50
REFUSALS = {"stale": "报名信息已在其他页面提交或撤回，请刷新页面后再修改。",
            "state": "报名信息已提交审核，当前不能修改（当前状态：审核中）；如需修改请先撤回。"}
pytestmark = pytest.mark.django_db(transaction=True)


def _submit_then_withdraw(client, application, page_version):
    answer = client.post(reverse("candidate:submit"), {"version": page_version}, follow=True)
    assert "报名信息已提交，等待单位审查" in answer.content.decode()
    # Reported done: from here on nothing from the older page may land. The withdrawal makes the form
    # editable again, so only the page's version can still tell that page is stale.
    services.application_withdraw(actor=application.candidate, application_id=application.pk)
    return True


def _upload(client, page_version, file):
    answer = client.post(reverse("candidate:image_upload"), {"version": page_version, "slot": "category", "file": file},
                         HTTP_ACCEPT="application/json").json()
    if not answer["ok"]:
        raise RuntimeError(answer["message"])
    return True


def _delete(client, page_version, image):
    response = client.post(reverse("candidate:image_delete", args=[image.pk]), {"version": page_version},
                           HTTP_HX_REQUEST="true")
    if response.get("HX-Trigger") != "images-changed":
        raise RuntimeError(response.content.decode())
    return True


def _events_after_the_submit(application):
    events = list(AuditEvent.objects.filter(object_type="applications.Application", object_id=str(application.pk))
                  .order_by("pk").values_list("event", flat=True))
    return events[events.index("application.submit") + 1:]


def _refusal(outcome) -> str:
    """Which refusal the page was told ("stale" or "state"), or "" for none of them."""
    for kind, message in REFUSALS.items():
        if isinstance(outcome, RuntimeError) and message in str(outcome):
            return kind
    return ""


def _race_in_turn(round_, page_act, submit_act):
    """race() with the page's act started first in even rounds; in odd ones the submit starts first
    and the page's act comes up to 80 ms later, before, during or after the withdrawal. The outcomes
    of (page's act, submit)."""
    if round_ % 2:
        wait = random.uniform(0, 0.05)

        def page_act_later():
            threading.Event().wait(wait)
            return page_act()

        submitted, acted = race(submit_act, page_act_later)
        return acted, submitted
    return race(page_act, submit_act)


def _ready(candidate, year, tree):
    """A complete draft, the tab its form page is loaded in, and the version that page carries."""
    application = complete_application(candidate, year, tree)
    page = candidate_client(candidate)
    body = page.get(reverse("candidate:form")).content.decode()
    return application, page, int(re.search(r'name="version" value="(\d+)"', body).group(1))


def test_an_upload_from_the_page_loaded_before_a_submit_never_lands_after_it(postgres_only, tree, year):
    seen = Counter()
    for round_ in range(ROUNDS):
        candidate = CandidateFactory()
        application, page, page_version = _ready(candidate, year, tree)
        # When the submit starts first, a large photo: decoding it outside the transaction leaves the
        # submit and the withdrawal time to pass. When the upload does, a small one, which may land first.
        # Pictures of their own: the same picture twice in a slot is refused.
        file = jpeg_upload(size=(2400, 1800) if round_ % 2 else (320, 240), color=(round_ % 256, 90, 200))
        uploaded, submitted = _race_in_turn(
            round_, partial(_upload, page, page_version, file),
            partial(_submit_then_withdraw, candidate_client(candidate), application, page_version))
        final, _logs = assert_consistent(application.pk)
        assert done(submitted), submitted
        assert final.state == State.DRAFT and final.version == page_version + 2
        later = _events_after_the_submit(application)
        assert "image.add" not in later, later
        category = ApplicationImage.objects.filter(application=application, slot="category").count()
        if done(uploaded):
            seen["landed before"] += 1
            assert category == 2
        else:
            assert _refusal(uploaded), uploaded
            seen[_refusal(uploaded)] += 1
            assert category == 1
    print(f"upload vs submit: {dict(seen)}")


def test_a_deletion_from_the_page_loaded_before_a_submit_never_lands_after_it(postgres_only, tree, year):
    seen = Counter()
    for round_ in range(ROUNDS):
        candidate = CandidateFactory()
        application, page, page_version = _ready(candidate, year, tree)
        # A second image in the slot: the form stays complete, so the submit goes through either way.
        [image] = images.images_add(actor=candidate, application=application, slot="category",
                                    uploads=[jpeg_upload(color=(20, 90, 200))])
        deleted, submitted = _race_in_turn(
            round_, partial(_delete, page, page_version, image),
            partial(_submit_then_withdraw, candidate_client(candidate), application, page_version))
        final, _logs = assert_consistent(application.pk)
        assert done(submitted), submitted
        assert final.state == State.DRAFT
        later = _events_after_the_submit(application)
        assert "image.delete" not in later, later
        if done(deleted):
            seen["landed before"] += 1
            assert not ApplicationImage.objects.filter(pk=image.pk).exists()
        else:
            assert _refusal(deleted), deleted
            seen[_refusal(deleted)] += 1
            assert ApplicationImage.objects.filter(pk=image.pk).exists()
    print(f"delete vs submit: {dict(seen)}")


def _upload_to_row(client, page_version, row_id, name, color):
    # A phone photo: decoding it outside the transaction keeps the uploads side by side.
    answer = client.post(reverse("candidate:image_upload"), {
        "version": page_version, "slot": "education", "row_id": row_id,
        "file": jpeg_upload(name, size=(2400, 1800), color=color)}, HTTP_ACCEPT="application/json").json()
    if not answer["ok"]:
        raise RuntimeError(answer["message"])
    return True


def test_uploads_at_once_never_take_a_slot_past_its_five_images(postgres_only, tree, year):
    """Three tabs (or a double tap and a retry) each upload one image to a row's slot holding four:
    each alone would fit; one lands, the others are told the slot is full, and it holds five."""
    slot_full = "“学历证书”最多上传5张图片，已有5张，请先删除不需要的图片。"
    for _round in range(ROUNDS // 5):
        candidate = CandidateFactory()
        application, _page, page_version = _ready(candidate, year, tree)
        row = EducationRow.objects.get(application=application, kind=EducationRow.Kind.EDUCATION)
        images.images_add(actor=candidate, application=application, slot="education", row_id=row.pk,
                          uploads=[jpeg_upload(f"e{i}.jpg", size=(320, 240), color=(40 * i, 90, 200)) for i in range(3)])
        assert ApplicationImage.objects.filter(slot="education", row_id=row.pk).count() == 4
        tabs = [candidate_client(candidate) for _ in range(3)]
        outcomes = at_once(*(partial(_upload_to_row, tab, page_version, row.pk, f"tab{n}.jpg", (200, 40 * n, 90))
                              for n, tab in enumerate(tabs)))
        landed = [outcome for outcome in outcomes if done(outcome)]
        assert len(landed) == 1, outcomes
        assert all(slot_full in str(outcome) for outcome in outcomes if not done(outcome)), outcomes
        assert ApplicationImage.objects.filter(application=application, slot="education", row_id=row.pk).count() == 5
        added = AuditEvent.objects.filter(object_type="applications.Application", object_id=str(application.pk),
                                          event="image.add", details__slot="education")
        assert added.count() == 3  # complete_application's, the set-up's, the one that landed
