"""IDOR matrix: every URL that takes an object id × every action on it × role × relation.

A cell is (viewer, object, action). The viewers are one account per role (单位, 报名点, 考点, 考区,
考生, 系统管理, 审计管理员) plus a 报名点 and a 单位 in another city; the objects sit at the
positions own / sibling / parent / other city relative to them. The expected answer of every
cell is derived from the permission table (prereg/accounts/permissions.py) and the scope rules
(design sections 2 and 3), written once per action in `allowed`:

- allowed cells must succeed AND have their effect: the content is on the page, the bytes of the
  file are the stored bytes, the state changed (a decision logged, the name corrected, the
  password replaced, the job deleted…);
- denied cells must answer 403 or 404 and change nothing: the object's state and version, the
  number of audit entries, and no byte of the object in the answer.

Each cell runs in a savepoint that is rolled back, so one world (built once per module) serves
every cell, and an allowed write in one cell never colours the next. This module holds the world
and the matrices (who sees what, each action's preparation, request and effect); walking the cells
and judging the answers is tests/security/idor_engine.py.

URLs with an object id and where they are covered (actions without an id — lists, the
candidate's own form/progress/confirmation.pdf, which only ever reach request.user's own
application — have nothing to confuse):
    files:image, files:thumb, files:verify                   → APPLICATION_ACTIONS
    backoffice:review, review_check, review_decide,
      review_recall, review_edit, print_confirmation,
      export_application_images, candidate:image_delete       → APPLICATION_ACTIONS
    backoffice:candidate_detail/unlock/reset/phone            → CANDIDATE_ACTIONS
    backoffice:orgs_detail/orgs_edit/orgs_delete,
      orgs_admin_reset, accounts_reset, accounts_edit         → ORG_ACTIONS / ACCOUNT_ACTIONS
    backoffice:export_status/download/delete                  → JOB_ACTIONS
    backoffice:notice_read                                    → test_a_notice_is_read_by_its_addressee_only
    backoffice:cross_review_revoke                            → test_cross_review_assignments_…
    backoffice:year_*, announcement_* (exam years and announcements belong to no org: the
      permission table alone decides, tests/catalog), year_password_reveal → test_password_sheets_…
"""

import io
import zipfile
from dataclasses import dataclass

import pytest
from django.core.files.storage import default_storage
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from prereg.accounts.models import Role, User
from prereg.accounts.permissions import role_has_function
from prereg.applications import review
from prereg.applications.models import (
    STAGE_ORDER,
    STAGE_ORG_FIELD,
    Application,
    ApplicationImage,
    FieldCheck,
    ReviewLog,
    Stage,
    State,
)
from prereg.audit.models import AuditEvent
from prereg.exports.models import ExportJob, ExportKind, ExportStatus
from prereg.notify.models import Notice
from prereg.orgs.models import Org
from prereg.orgs.routing import resolve_chain
from tests.factories import (
    ApplicationFactory,
    ApplicationImageFactory,
    CandidateFactory,
    CrossReviewAssignmentFactory,
    ExportJobFactory,
    NoticeFactory,
    OrgFactory,
    PasswordSheetFactory,
    UnitRequestFactory,
    UserFactory,
)
from tests.security.idor_engine import (
    BELOW,
    OTHER_CITY,
    OWN,
    PARENT,
    REFUSED,
    SIBLING,
    Action,
    acts_since,
    assert_cells,
    audit_head,
    run_cells,
)

IMAGE_BYTES = b"\x89PNG\r\n\x1a\n-secret-image-bytes"

# (application key, unit code or a key of NEW_ORGS)
WORLD = {
    "anxi": "35052401",            # 安溪县医院: unit review at the hospital itself
    "anxi_sibling": "anxi_sibling",  # another unit under 安溪县卫计局, with its own reviewers
    "anxi_clinic": "anxi_clinic",  # a unit under 安溪县卫计局 without reviewers: the bureau reviews
    "nanan": "nanan_unit",         # a unit under another registration point of 泉州
    "qz_direct": "qz_direct",      # a unit and registration point directly under 泉州市卫计委
    "longyan": "35080001",         # 龙岩市中医院: another 考点
    "province_direct": "35000001",  # 福建省立医院: directly under the province
    "gulou": "35010201",           # 鼓楼区洪山社区卫生服务中心: another city (福州)
    "fuzhou_first": "35010001",    # 福州市第一医院: directly under 福州市卫计委
}
# key: (parent code or key, levels, has unit reviewers)
NEW_ORGS = {
    "anxi_sibling": ("350524", "unit", True),
    "anxi_clinic": ("350524", "unit", False),
    "nanan_point": ("350500", "point", False),
    "nanan_unit": ("nanan_point", "unit", False),
    "qz_direct": ("350500", "unit point", False),
}

# viewer fixture -> {application: relation}; applications not listed are "other city".
RELATIONS = {
    "reviewer_anxi_hospital": {"anxi": OWN, "anxi_sibling": SIBLING, "anxi_clinic": PARENT},   # 单位
    "reviewer_anxi_bureau": {"anxi": OWN, "anxi_sibling": OWN, "anxi_clinic": OWN,              # 报名点
                             "nanan": SIBLING, "qz_direct": PARENT},
    "reviewer_quanzhou": {"anxi": OWN, "anxi_sibling": OWN, "anxi_clinic": OWN, "nanan": OWN,   # 考点
                          "qz_direct": OWN, "longyan": SIBLING, "province_direct": PARENT},
    "reviewer_gulou_bureau": {"gulou": OWN, "fuzhou_first": PARENT},                           # 报名点, 福州
    "reviewer_lianjiang_hospital": {"fuzhou_first": PARENT},                                   # 单位, 福州
    "reviewer_province": dict.fromkeys(WORLD, OWN),                                            # 考区
    "candidate": {"anxi": OWN},                        # the candidate of "anxi"; the rest are others'
    # 系统管理 runs the system, not candidates' data: no application (三员分立, issue 16).
    "sysadmin": {},
    "auditor": {},                                     # 审计管理员: no application at all
}
REVIEWERS = frozenset(v for v in RELATIONS if v.startswith("reviewer_"))
EVERYONE = frozenset(RELATIONS)
STAFF = EVERYONE - {"candidate"}


def _org(tree, ref):
    return tree[ref] if ref in tree else tree[f"new:{ref}"]


@dataclass
class World:
    viewers: dict
    tree: dict
    applications: dict
    images: dict
    ticker: User  # signs the ready-made 与原件一致 ticks


def _build_world():
    from prereg.catalog.loaders import load_national, load_year_catalogue
    from prereg.demo.orgs import seed_orgs
    from tests.factories import ExamYearFactory

    load_national()
    tree = seed_orgs()
    year = ExamYearFactory()
    load_year_catalogue(year)
    # The standing users of tests/conftest.py, made here once for the module.
    reviewers = {"reviewer_anxi_hospital": ("35052401", Role.UNIT), "reviewer_anxi_bureau": ("350524", Role.POINT),
                 "reviewer_quanzhou": ("350500", Role.SITE), "reviewer_gulou_bureau": ("350102", Role.POINT),
                 "reviewer_lianjiang_hospital": ("35012205", Role.UNIT), "reviewer_province": ("350000", Role.DISTRICT)}
    # Every viewer exists before the chains are resolved: unit reviewers decide unit routing.
    viewers = {name: UserFactory(username=f"r{code}", role=role, org=tree[code])
               for name, (code, role) in reviewers.items()}
    viewers.update(candidate=CandidateFactory(), sysadmin=UserFactory(username="sysadmin", role=Role.SYSADMIN),
                   auditor=UserFactory(username="auditor", role=Role.AUDITOR))
    tree = dict(tree)
    for key, (parent, levels, reviewers_) in NEW_ORGS.items():
        org = OrgFactory(parent=_org(tree, parent), is_unit="unit" in levels, is_point="point" in levels,
                         has_review_right=reviewers_, region_code=_org(tree, parent).region_code)
        tree[f"new:{key}"] = org
        if reviewers_:
            UserFactory(role=Role.UNIT, org=org)
    applications, images = {}, {}
    for n, (key, unit_ref) in enumerate(WORLD.items()):
        owner = viewers["candidate"] if key == "anxi" else CandidateFactory()
        unit = _org(tree, unit_ref)
        application = ApplicationFactory(
            candidate=owner, exam_year=year, unit=unit, name=f"考生{n}甲", state=State.IN_REVIEW,
            stage=Stage.UNIT_REVIEW, submission_round=1, number=f"{year.year}9{n:07d}",
            **{STAGE_ORG_FIELD[at]: org for at, org in resolve_chain(unit).items()})
        image = ApplicationImageFactory(application=application, file__data=IMAGE_BYTES, file__filename=f"{key}.png")
        applications[key], images[key] = application, image
    return World(viewers, tree, applications, images, ticker=UserFactory(role=Role.DISTRICT, org=tree["350000"]))


@pytest.fixture(scope="module")
def _world_media(tmp_path_factory):
    return tmp_path_factory.mktemp("idor-media")


@pytest.fixture(autouse=True)
def _media_of_the_world(_fast_and_isolated, settings, _world_media):
    settings.MEDIA_ROOT = _world_media  # the images of the module's world live here


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker, _world_media):
    """Built once for the module inside a transaction that is rolled back at its end (each test
    then runs in a savepoint of it, as Django's TestCase.setUpTestData does)."""
    with django_db_blocker.unblock(), override_settings(
            MEDIA_ROOT=_world_media, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(db, _module_world):
    """The module's world; `db` puts the test in a savepoint of the module's transaction."""
    return _module_world


# --- applications: view, check, decide, edit, recall, print, images, export, verify ----------


def _acting_stage(application, org_id):
    return next((s for s in STAGE_ORDER if application.org_id_at(s) == org_id), None)


def _place(application, *, stage=None, state=State.IN_REVIEW):
    application.state, application.stage, application.awaiting_forward = state, stage or "", False
    application.save()


def _tick_everything(world, application):
    """Make the application ready to decide at its stage, whoever looks at it."""
    for f in review.check_fields(application, with_images=False):
        FieldCheck.objects.update_or_create(
            application=application, stage=application.stage, submission_round=application.submission_round,
            field=f.key, defaults={"consistent": True, "reviewer": world.ticker})


def _app_state(ctx):
    a = Application.objects.get(pk=ctx["app"].pk)
    return (a.state, a.stage, a.version, a.name, a.awaiting_forward,
            ReviewLog.objects.filter(application=a).count(),
            FieldCheck.objects.filter(application=a).count(),
            ApplicationImage.objects.filter(application=a).count(),
            ExportJob.objects.count())


def _visible(relation):
    return relation == OWN


def _may(function):
    def allowed(viewer_name, viewer, relation, ctx):
        return _visible(relation) and role_has_function(viewer.role, function) and viewer.role != Role.CANDIDATE
    return allowed


def _may_export_images(viewer_name, viewer, relation, ctx):
    """The images zip shows whole ID numbers: only the roles that may export them (考点, 考区)."""
    return _may("export_excel")(viewer_name, viewer, relation, ctx) and viewer.role in (Role.SITE, Role.DISTRICT)


def _may_act(viewer_name, viewer, relation, ctx):
    """Decide, tick, correct, recall: the reviewer's org acts at the application's current stage."""
    return (_visible(relation) and role_has_function(viewer.role, "review") and ctx["at_own_stage"])


def _prepare_at_own_stage(world, viewer, application):
    """The application waits at the stage the viewer's org acts at (if it acts at one), ready."""
    stage = _acting_stage(application, viewer.org_id) if viewer.org_id else None
    _place(application, stage=stage or Stage.UNIT_REVIEW)
    _tick_everything(world, application)
    application.refresh_from_db()
    return {"app": application, "at_own_stage": stage is not None, "viewer": viewer}


def _prepare_elsewhere(world, viewer, application):
    """The application waits at a stage of its chain where the viewer's org does NOT act."""
    stage = next(s for s in STAGE_ORDER if application.org_id_at(s) != viewer.org_id)
    _place(application, stage=stage)
    _tick_everything(world, application)
    application.refresh_from_db()
    return {"app": application, "at_own_stage": False, "viewer": viewer}


def _prepare_as_is(world, viewer, application):
    application.refresh_from_db()
    return {"app": application, "image": world.images[_key_of(world, application)], "viewer": viewer}


def _key_of(world, application):
    return next(k for k, a in world.applications.items() if a.pk == application.pk)


def _post(url_name, data=lambda ctx: {}):
    def call(client, ctx):
        return client.post(reverse(url_name, args=[ctx["app"].pk]), data(ctx))
    return call


def _get(url_name):
    def call(client, ctx):
        return client.get(reverse(url_name, args=[ctx["app"].pk]))
    return call


def _name_secret(ctx):
    return ctx["app"].name.encode()


def _effect_page_shows_name(ctx, response, body):
    if response.status_code != 200:
        return f"status {response.status_code}"
    if ctx["app"].name not in body.decode():
        return "the page does not show the application"


def _effect_checked(ctx, response, body):
    a, viewer = ctx["app"], ctx["viewer"]
    if response.status_code not in (200, 302):
        return f"status {response.status_code}"
    if not FieldCheck.objects.filter(application=a, stage=a.stage, field="id_card", reviewer=viewer).exists():
        return "no tick recorded"


def _effect_approved(ctx, response, body):
    a, viewer = ctx["app"], ctx["viewer"]
    after = Application.objects.get(pk=a.pk)
    if response.status_code != 302:
        return f"status {response.status_code}"
    log = ReviewLog.objects.filter(application=a, actor=viewer).order_by("-pk").first()
    if log is None or log.action != "approve" or after.version != a.version + 1:
        return "no approval recorded"
    if (after.stage, after.awaiting_forward) == (a.stage, False) and after.state == a.state:
        return "the application did not move"


def _effect_returned(ctx, response, body):
    after = Application.objects.get(pk=ctx["app"].pk)
    if response.status_code != 302:
        return f"status {response.status_code}"
    if after.state != State.RETURNED or not ReviewLog.objects.filter(application=after, actor=ctx["viewer"]).exists():
        return f"not returned to the candidate (state {after.state})"


def _effect_renamed(ctx, response, body):
    if response.status_code != 302:
        return f"status {response.status_code}"
    if Application.objects.get(pk=ctx["app"].pk).name != "王改名":
        return "the name was not corrected"
    if not AuditEvent.objects.filter(object_id=str(ctx["app"].pk), event__contains="edit").exists():
        return "the correction is not audited"


def _decide_data(decision):
    def data(ctx):
        base = {"decision": decision, "version": ctx["app"].version, "opinion": "", "reason": "照片不清晰",
                "to": "candidate"}
        return base
    return data


def _prepare_recall(world, viewer, application):
    """The viewer's org approved at its stage (if it acts at one); the next stage has not acted."""
    from prereg.applications import services

    ctx = _prepare_at_own_stage(world, viewer, application)
    if ctx["at_own_stage"]:
        services.application_approve(actor=viewer, application_id=application.pk,
                                     expected_version=application.version)
    else:
        # Someone else's approval at the first stage: there is something to recall, not by him.
        _place(application, stage=Stage.POINT_CONFIRM)
    application.refresh_from_db()
    ctx["approved_at"] = _acting_stage(application, viewer.org_id) if viewer.org_id else None
    return ctx


def _may_recall(viewer_name, viewer, relation, ctx):
    """The org that approved at its stage takes it back; the 考区's final approval is final."""
    if not _may_act(viewer_name, viewer, relation, ctx):
        return False
    return REFUSED if ctx["approved_at"] == Stage.DISTRICT_RECHECK else True


def _effect_recalled(ctx, response, body):
    after = Application.objects.get(pk=ctx["app"].pk)
    if response.status_code != 302:
        return f"status {response.status_code}"
    if (after.state, after.stage, after.awaiting_forward) != (State.IN_REVIEW, ctx["approved_at"], False):
        return f"not back at the viewer's stage ({after.state}/{after.stage}/{after.awaiting_forward})"


def _prepare_printable(world, viewer, application):
    _place(application, stage=Stage.SITE_REVIEW)  # past the 报名点: printable (design section 5)
    application.refresh_from_db()
    return {"app": application, "viewer": viewer}


def _effect_pdf(ctx, response, body):
    if response.status_code != 200 or response["Content-Type"] != "application/pdf":
        return f"status {response.status_code} {response.get('Content-Type')}"
    if not body.startswith(b"%PDF"):
        return "not a PDF"
    if not AuditEvent.objects.filter(event="confirmation.print", object_id=str(ctx["app"].pk)).exists():
        return "the print is not audited"


def _effect_image_bytes(ctx, response, body):
    if response.status_code != 200:
        return f"status {response.status_code}"
    if body != IMAGE_BYTES:
        return "the bytes served are not the stored image"


def _effect_zip_of_images(ctx, response, body):
    job = ExportJob.objects.filter(owner=ctx["viewer"], kind=ExportKind.IMAGES).order_by("-pk").first()
    if response.status_code != 302 or job is None:
        return f"status {response.status_code}, job {job}"
    if job.status != ExportStatus.DONE:
        return f"job {job.status}: {job.error}"
    with default_storage.open(job.file.name, "rb") as fh, zipfile.ZipFile(io.BytesIO(fh.read())) as archive:
        if [archive.read(n) for n in archive.namelist()] != [IMAGE_BYTES]:
            return "the zip does not hold exactly the application's image"


def _prepare_editable(world, viewer, application):
    _place(application, state=State.RETURNED)  # the candidate may change his images again
    application.refresh_from_db()
    # A fresh image per cell: a delete removes the file too, which no rollback brings back.
    image = ApplicationImageFactory(application=application, slot="id_back", sha256="1" * 64,
                                    file__data=IMAGE_BYTES, file__filename="back.png")
    return {"app": application, "image": image, "viewer": viewer}


def _effect_image_deleted(ctx, response, body):
    if response.status_code not in (200, 302):
        return f"status {response.status_code}"
    if ApplicationImage.objects.filter(pk=ctx["image"].pk).exists():
        return "the image is still there"


def _verify_call(client, ctx):
    from prereg.applications.pdf import verify_token

    return client.get(reverse("files:verify", args=[ctx["app"].number, verify_token(ctx["app"])]))


def _effect_genuine(ctx, response, body):
    if response.status_code != 200 or ctx["app"].number not in body.decode():
        return f"status {response.status_code}"


def _image_call(url_name):
    def call(client, ctx):
        return client.get(reverse(url_name, args=[ctx["image"].pk]))
    return call


def _image_delete_call(client, ctx):
    return client.post(reverse("candidate:image_delete", args=[ctx["image"].pk]), {"version": ctx["app"].version})


def _not_auditor(viewer_name, viewer, relation, ctx):
    return _visible(relation) and viewer.role != Role.AUDITOR


def _own_candidate(viewer_name, viewer, relation, ctx):
    return viewer.role == Role.CANDIDATE and relation == OWN


def _reviewer_or_sysadmin(viewer_name, viewer, relation, ctx):
    return _visible(relation) and (viewer.role in Role.reviewer_roles() or viewer.role == Role.SYSADMIN)


APPLICATION_ACTIONS = [
    Action("view review screen", _prepare_as_is, _get("backoffice:review"), _app_state,
           _effect_page_shows_name, _may("review"), _name_secret),
    Action("tick 与原件一致", _prepare_at_own_stage,
           _post("backoffice:review_check",
                 lambda ctx: {"field": "id_card", "consistent": "1", "version": ctx["app"].version}),
           _app_state, _effect_checked, _may_act),
    Action("approve", _prepare_at_own_stage, _post("backoffice:review_decide", _decide_data("approve")),
           _app_state, _effect_approved, _may_act),
    Action("approve at a stage not his", _prepare_elsewhere,
           _post("backoffice:review_decide", _decide_data("approve")), _app_state, _effect_approved, _may_act,
           all_denied=True),
    Action("return to the candidate", _prepare_at_own_stage,
           _post("backoffice:review_decide", _decide_data("reject")), _app_state, _effect_returned, _may_act),
    Action("correct typed data", _prepare_at_own_stage,
           _post("backoffice:review_edit", lambda ctx: {"name": "王改名", "version": ctx["app"].version}),
           _app_state, _effect_renamed, _may_act),
    Action("correct typed data at a stage not his", _prepare_elsewhere,
           _post("backoffice:review_edit", lambda ctx: {"name": "王改名", "version": ctx["app"].version}),
           _app_state, _effect_renamed, _may_act, all_denied=True),
    Action("recall (撤办)", _prepare_recall,
           _post("backoffice:review_recall", lambda ctx: {"version": ctx["app"].version}), _app_state,
           _effect_recalled, _may_recall),
    Action("print confirmation", _prepare_printable, _get("backoffice:print_confirmation"), _app_state,
           _effect_pdf, _may("print_confirmation"), lambda ctx: b"%PDF"),
    Action("export images", _prepare_as_is, _post("backoffice:export_application_images"), _app_state,
           _effect_zip_of_images, _may_export_images),
    Action("download image", _prepare_as_is, _image_call("files:image"), _app_state, _effect_image_bytes,
           _not_auditor, lambda ctx: IMAGE_BYTES),
    Action("download thumbnail", _prepare_as_is, _image_call("files:thumb"), _app_state, _effect_image_bytes,
           _not_auditor, lambda ctx: IMAGE_BYTES),
    Action("verify confirmation QR", _prepare_as_is, _verify_call, _app_state, _effect_genuine,
           _reviewer_or_sysadmin, _name_secret),
    Action("candidate deletes image", _prepare_editable, _image_delete_call, _app_state,
           _effect_image_deleted, _own_candidate),
]


def _application_cells(world, action):
    for viewer_name, relations in RELATIONS.items():
        for key, application in world.applications.items():
            yield viewer_name, key, relations.get(key, OTHER_CITY), application


@pytest.mark.parametrize("action", APPLICATION_ACTIONS, ids=[a.name for a in APPLICATION_ACTIONS])
def test_application_urls_answer_every_cell_as_the_permission_table_and_scope_say(client, world, action):
    if action.prepare is _prepare_elsewhere:
        # Only reviewers who see the application can be put "at a stage not his".
        cells = [c for c in _application_cells(world, action) if c[0] in REVIEWERS and c[2] == OWN]
    else:
        cells = list(_application_cells(world, action))
    assert_cells(client, world, action, cells)


def test_every_acting_reviewer_has_an_allowed_decision_cell(world):
    """The allowed side of the matrix is not empty: every reviewer level decides somewhere."""
    acting = {name for name, relations in RELATIONS.items() if name in REVIEWERS
              for key, rel in relations.items()
              if rel == OWN and _acting_stage(world.applications[key], world.viewers[name].org_id)}
    assert acting == {"reviewer_anxi_hospital", "reviewer_anxi_bureau", "reviewer_quanzhou",
                      "reviewer_gulou_bureau", "reviewer_province"}


# --- candidates: 考生信息管理 (view, unlock, reset password, correct phone) ----------------------


def _prepare_candidate(world, viewer, application):
    candidate = application.candidate
    candidate.refresh_from_db()
    return {"candidate": candidate, "viewer": viewer, "app": application}


def _candidate_state(ctx):
    c = User.objects.get(pk=ctx["candidate"].pk)
    return (c.password, c.phone, c.is_active)


def _candidate_call(url_name, data=None):
    def call(client, ctx):
        url = reverse(url_name, args=[ctx["candidate"].pk])
        return client.get(url) if data is None else client.post(url, data)
    return call


def _effect_candidate_page(ctx, response, body):
    if response.status_code != 200 or ctx["app"].name.encode() not in body and \
            ctx["candidate"].name.encode() not in body:
        return f"status {response.status_code} or the candidate is not on the page"


def _effect_audited(event):
    def effect(ctx, response, body):
        if response.status_code != 302:
            return f"status {response.status_code}"
        if not AuditEvent.objects.filter(event=event, object_id=str(ctx["candidate"].pk)).exists():
            return f"no {event} entry"
    return effect


def _effect_password_replaced(ctx, response, body):
    if response.status_code != 302:
        return f"status {response.status_code}"
    if User.objects.get(pk=ctx["candidate"].pk).password == ctx["candidate"].password:
        return "the password is unchanged"


def _effect_phone_changed(ctx, response, body):
    if response.status_code != 302:
        return f"status {response.status_code}"
    if User.objects.get(pk=ctx["candidate"].pk).phone != "13700001111":
        return "the phone is unchanged"


def _may_manage_candidate(viewer_name, viewer, relation, ctx):
    """Reviewers: candidates of their chain. The sysadmin runs every account (unlock, reset) but
    sees none of the applications."""
    if viewer.role == Role.SYSADMIN:
        return role_has_function(viewer.role, "manage_candidates")
    return _may("manage_candidates")(viewer_name, viewer, relation, ctx)


def _may_correct_phone(viewer_name, viewer, relation, ctx):
    """更正手机号码: as the rest of 考生信息管理, but not the 单位 nor the sysadmin
    (applications.candidates.may_correct_phone)."""
    return viewer.role not in (Role.UNIT, Role.SYSADMIN) and _may_manage_candidate(viewer_name, viewer, relation, ctx)


CANDIDATE_ACTIONS = [
    Action("candidate detail", _prepare_candidate, _candidate_call("backoffice:candidate_detail"), _candidate_state,
           _effect_candidate_page, _may_manage_candidate, lambda ctx: ctx["app"].name.encode()),
    Action("candidate unlock", _prepare_candidate, _candidate_call("backoffice:candidate_unlock", {}),
           _candidate_state, _effect_audited("account.unlock"), _may_manage_candidate),
    Action("candidate password reset", _prepare_candidate, _candidate_call("backoffice:candidate_reset", {}),
           _candidate_state, _effect_password_replaced, _may_manage_candidate),
    Action("candidate phone", _prepare_candidate,
           _candidate_call("backoffice:candidate_phone", {"phone": "13700001111"}),
           _candidate_state, _effect_phone_changed, _may_correct_phone),
]


@pytest.mark.parametrize("action", CANDIDATE_ACTIONS, ids=[a.name for a in CANDIDATE_ACTIONS])
def test_candidate_accounts_are_managed_only_within_scope(client, world, action):
    # A candidate is in scope when one of his applications names an org of the viewer's subtree:
    # for this world that is exactly the "own" relation of his application.
    cells = [(v, k, r, a) for v, k, r, a in _application_cells(world, action) if v != "candidate"]
    assert_cells(client, world, action, cells)


# --- orgs and reviewer accounts: 组织机构管理, 用户管理 ----------------------------------------------

# viewer → (own org, sibling org, parent org, other-city org) codes; "below" is a new leaf under own.
ORG_POSITIONS = {
    "reviewer_anxi_hospital": ("35052401", "anxi_sibling", "350524", "35010201"),
    "reviewer_anxi_bureau": ("350524", "nanan_point", "350500", "350102"),
    "reviewer_quanzhou": ("350500", "350800", "350000", "350100"),
    "reviewer_gulou_bureau": ("350102", "350122", "350100", "350524"),
    "reviewer_lianjiang_hospital": ("35012205", "35012201", "350122", "35052401"),
    "reviewer_province": ("350000", None, None, None),
    "sysadmin": (None, "350524", "350500", "350102"),
    "auditor": (None, "350524", "350500", "350102"),
    "candidate": (None, "350524", "350500", "350102"),
}


def _org_cells(world):
    for viewer_name, (own, sibling, parent, other) in ORG_POSITIONS.items():
        viewer = world.viewers[viewer_name]
        home = viewer.org or world.tree["350000"]
        for relation, ref in ((OWN, own), (SIBLING, sibling), (PARENT, parent), (OTHER_CITY, other)):
            if ref is not None:
                yield viewer_name, ref, relation, _org(world.tree, ref)
        yield viewer_name, "new leaf", BELOW, home


def _prepare_org(world, viewer, org):
    org.refresh_from_db()
    return {"org": org, "viewer": viewer}


def _org_state(ctx):
    org = Org.objects.filter(pk=ctx["org"].pk).values_list("name", "enabled", "parent_id").first()
    return org


def _org_call(url_name, data=None):
    def call(client, ctx):
        url = reverse(url_name, args=[ctx["org"].pk])
        return client.get(url) if data is None else client.post(url, data(ctx))
    return call


def _org_form(ctx):
    org = ctx["org"]
    return {"parent": org.parent_id or "", "code": org.code, "name": "改名后的机构", "short_name": org.short_name,
            "region_code": org.region_code, "is_unit": "on" if org.is_unit else "",
            "is_point": "on" if org.is_point else "", "is_site": "on" if org.is_site else "",
            "is_district": "on" if org.is_district else "", "has_review_right": "on" if org.has_review_right else "",
            "version": org.version}


def _effect_org_page(ctx, response, body):
    if response.status_code != 200 or ctx["org"].name not in body.decode():
        return f"status {response.status_code} or the org is not on the page"


def _effect_org_renamed(ctx, response, body):
    if response.status_code != 302 or Org.objects.get(pk=ctx["org"].pk).name != "改名后的机构":
        return f"status {response.status_code}, name not changed"


def _effect_org_deleted(ctx, response, body):
    if response.status_code != 302 or Org.objects.filter(pk=ctx["org"].pk).exists():
        return f"status {response.status_code}, org still there"


def _may_see_org(function):
    def allowed(viewer_name, viewer, relation, ctx):
        if not role_has_function(viewer.role, function) or viewer.role in (Role.CANDIDATE, Role.AUDITOR):
            return False
        return viewer.role == Role.SYSADMIN or relation in (OWN, BELOW)
    return allowed


def _may_manage_org(function):
    def allowed(viewer_name, viewer, relation, ctx):
        if not role_has_function(viewer.role, function) or viewer.role in (Role.CANDIDATE, Role.AUDITOR):
            return False
        return viewer.role == Role.SYSADMIN or relation == BELOW  # strictly below his own org
    return allowed


ORG_ACTIONS = [
    Action("org detail", _prepare_org, _org_call("backoffice:orgs_detail"), _org_state, _effect_org_page,
           _may_see_org("edit_unit")),
    Action("org edit", _prepare_org, _org_call("backoffice:orgs_edit", _org_form), _org_state,
           _effect_org_renamed, _may_manage_org("edit_unit")),
    Action("org delete", _prepare_org, _org_call("backoffice:orgs_delete", lambda ctx: {"version": ctx["org"].version}), _org_state,
           _effect_org_deleted, _may_manage_org("delete_unit")),
]


def _leafy_org_cells(world, *, leaves_for_all):
    """For BELOW a fresh leaf under the viewer's org; with leaves_for_all, fresh leaves under the
    sibling and other-city positions too (deletable if a scope check were missing)."""
    for viewer_name, ref, relation, org in _org_cells(world):
        no_org = world.viewers[viewer_name].org_id is None  # the sysadmin may change any: give him leaves
        if relation == BELOW or (leaves_for_all and (relation in (SIBLING, OTHER_CITY) or no_org)):
            org = OrgFactory(parent=org, is_unit=True, region_code=org.region_code)
        yield viewer_name, ref, relation, org


@pytest.mark.parametrize("action", ORG_ACTIONS, ids=[a.name for a in ORG_ACTIONS])
def test_orgs_are_seen_in_the_subtree_and_changed_strictly_below(client, world, action):
    assert_cells(client, world, action, list(_leafy_org_cells(world, leaves_for_all=action.name != "org detail")))


_ROLE_OF_ORG = [("is_district", Role.DISTRICT), ("is_site", Role.SITE), ("is_point", Role.POINT), ("is_unit", Role.UNIT)]


def _account_cells(world):
    """An account at each position: at his own org a colleague of the same role (never his to
    reset), below him a unit reviewer of a new leaf, elsewhere a reviewer of that org."""
    for viewer_name, ref, relation, org in _leafy_org_cells(world, leaves_for_all=True):
        viewer = world.viewers[viewer_name]
        if relation == OWN and viewer.org_id:
            role = viewer.role
        else:
            role = next(r for flag, r in _ROLE_OF_ORG if getattr(org, flag))
        yield viewer_name, ref, relation, UserFactory(role=role, org=org)


def _prepare_account(world, viewer, account):
    account.refresh_from_db()
    return {"account": account, "viewer": viewer}


def _account_state(ctx):
    return User.objects.filter(pk=ctx["account"].pk).values_list("password", "is_active").first()


def _effect_account_reset(ctx, response, body):
    if response.status_code != 200 or "password-once" not in response.content.decode():
        return f"status {response.status_code}, no one-time password shown"
    if User.objects.get(pk=ctx["account"].pk).password == ctx["account"].password:
        return "the password is unchanged"


def _may_administer(viewer_name, viewer, relation, ctx):
    if not role_has_function(viewer.role, "reset_reviewer_password") or viewer.role in (Role.CANDIDATE, Role.AUDITOR):
        return False
    return viewer.role == Role.SYSADMIN or relation == BELOW


def _account_record(ctx):
    return User.objects.filter(pk=ctx["account"].pk).values_list("name", "phone", "password", "is_active").first()


def _effect_account_renamed(ctx, response, body):
    if response.status_code != 302 or User.objects.get(pk=ctx["account"].pk).name != "新任人员":
        return f"status {response.status_code}, name not changed"


ACCOUNT_ACTIONS = [
    Action("account edit", _prepare_account,
           lambda client, ctx: client.post(reverse("backoffice:accounts_edit", args=[ctx["account"].pk]),
                                           {"name": "新任人员", "phone": "13700002222",
                                            "version": ctx["account"].version}),
           _account_record, _effect_account_renamed, _may_administer, lambda ctx: ctx["account"].phone.encode()),
    Action("account password reset", _prepare_account,
           lambda client, ctx: client.post(reverse("backoffice:accounts_reset", args=[ctx["account"].pk]),
                                           follow=True),
           _account_state, _effect_account_reset, _may_administer),
    Action("org admin password reset", _prepare_account,
           lambda client, ctx: client.post(reverse("backoffice:orgs_admin_reset",
                                                   args=[ctx["account"].org_id, ctx["account"].pk]), follow=True),
           _account_state, _effect_account_reset, _may_administer),
]


@pytest.mark.parametrize("action", ACCOUNT_ACTIONS, ids=[a.name for a in ACCOUNT_ACTIONS])
def test_reviewer_accounts_are_changed_only_below_the_viewer(client, world, action):
    assert_cells(client, world, action, list(_account_cells(world)))


# Ids in the request body rather than the URL: the same matrix.

def _effect_org_disabled(ctx, response, body):
    if response.status_code != 302 or Org.objects.get(pk=ctx["org"].pk).enabled:
        return f"status {response.status_code}, the org is still enabled"


def _effect_account_disabled(ctx, response, body):
    if response.status_code != 302 or User.objects.get(pk=ctx["account"].pk).is_active:
        return f"status {response.status_code}, the account is still active"


def _may_toggle_account(viewer_name, viewer, relation, ctx):
    if not role_has_function(viewer.role, "toggle_reviewer") or viewer.role in (Role.CANDIDATE, Role.AUDITOR):
        return False
    return viewer.role == Role.SYSADMIN or relation == BELOW


ORG_TOGGLE = Action(
    "org disable (ids in the body)", _prepare_org,
    lambda client, ctx: client.post(reverse("backoffice:orgs_toggle"), {"ids": [ctx["org"].pk], "action": "disable"}),
    _org_state, _effect_org_disabled, _may_manage_org("edit_unit"))
ACCOUNT_TOGGLE = Action(
    "account disable (ids in the body)", _prepare_account,
    lambda client, ctx: client.post(reverse("backoffice:accounts_toggle"),
                                    {"ids": [ctx["account"].pk], "action": "disable"}),
    _account_state, _effect_account_disabled, _may_toggle_account)


def test_orgs_are_disabled_only_strictly_below(client, world):
    assert_cells(client, world, ORG_TOGGLE, list(_leafy_org_cells(world, leaves_for_all=True)))


def test_reviewer_accounts_are_disabled_only_below_the_viewer(client, world):
    assert_cells(client, world, ACCOUNT_TOGGLE, list(_account_cells(world)))


def _may_batch(viewer_name, viewer, relation, ctx):
    """批量提交 (考点, 考区) of what waits at the viewer's stage; any other id in the batch is
    refused with a message and left alone."""
    if not role_has_function(viewer.role, "batch_submit") or viewer.role in (Role.CANDIDATE, Role.AUDITOR):
        return False
    return True if _may_act(viewer_name, viewer, relation, ctx) else REFUSED


BATCH_APPROVE = Action(
    "batch approve (ids in the body)", _prepare_at_own_stage,
    lambda client, ctx: client.post(reverse("backoffice:batch_approve"),
                                    {"items": [f"{ctx['app'].pk}:{ctx['app'].version}"], "opinion": ""}),
    _app_state, _effect_approved, _may_batch)


def test_batch_approval_takes_only_what_waits_at_the_viewers_stage(client, world):
    assert_cells(client, world, BATCH_APPROVE, list(_application_cells(world, BATCH_APPROVE)))


# --- export jobs: status, download, delete -------------------------------------------------------


def _job_cells(world):
    """Every back-office viewer × a finished job of his own, of a colleague of his org, and of
    a user at each other position."""
    for viewer_name, ref, relation, org in _org_cells(world):
        viewer = world.viewers[viewer_name]
        if relation == BELOW:
            continue
        owner = viewer if relation == OWN and viewer.org_id else UserFactory(role=Role.SITE, org=org)
        yield viewer_name, f"job of {ref}", relation, _finished_job(owner)
        if relation == OWN and viewer.org_id:
            colleague = UserFactory(role=viewer.role, org=viewer.org)
            yield viewer_name, "job of a colleague", "colleague", _finished_job(colleague)
    yield "sysadmin", "own job", OWN, _finished_job(world.viewers["sysadmin"])


def _finished_job(owner):
    return ExportJobFactory(owner=owner, file__data=f"secret roster of user {owner.pk}\n".encode())


def _prepare_job(world, viewer, job):
    job.refresh_from_db()
    with default_storage.open(job.file.name, "rb") as fh:
        content = fh.read()
    return {"job": job, "viewer": viewer, "bytes": content}


def _job_state(ctx):
    exists = ExportJob.objects.filter(pk=ctx["job"].pk).exists()
    return exists, default_storage.exists(ctx["job"].file.name)


def _job_call(url_name, method="get"):
    def call(client, ctx):
        return getattr(client, method)(reverse(url_name, args=[ctx["job"].pk]))
    return call


def _may_own_job(viewer_name, viewer, relation, ctx):
    return ctx["job"].owner_id == viewer.pk and role_has_function(viewer.role, "export_excel") \
        and viewer.role not in (Role.CANDIDATE, Role.AUDITOR)


def _job_row_marker(ctx):
    return f'id="export-job-{ctx["job"].pk}"'.encode()


def _effect_job_row(ctx, response, body):
    if response.status_code != 200 or _job_row_marker(ctx) not in body:
        return f"status {response.status_code}, or not the job's row"


def _effect_job_bytes(ctx, response, body):
    if response.status_code != 200 or body != ctx["bytes"]:
        return f"status {response.status_code}, the bytes are not the file's"
    if not AuditEvent.objects.filter(event="export.download", object_id=str(ctx["job"].pk)).exists():
        return "the download is not audited"


def _effect_job_deleted(ctx, response, body):
    if response.status_code != 302 or _job_state(ctx) != (False, False):
        return f"status {response.status_code}, job/file still there: {_job_state(ctx)}"


JOB_ACTIONS = [
    Action("export status", _prepare_job, _job_call("backoffice:export_status"), _job_state, _effect_job_row,
           _may_own_job, _job_row_marker),
    Action("export download", _prepare_job, _job_call("backoffice:export_download"), _job_state,
           _effect_job_bytes, _may_own_job, lambda ctx: ctx["bytes"]),
    Action("export delete", _prepare_job, _job_call("backoffice:export_delete", "post"), _job_state,
           _effect_job_deleted, _may_own_job),
]


@pytest.mark.parametrize("action", JOB_ACTIONS, ids=[a.name for a in JOB_ACTIONS])
def test_an_export_job_is_its_owners_alone(client, world, action):
    assert_cells(client, world, action, list(_job_cells(world)))


# --- notices, cross-review assignments, password sheets ------------------------------------------


def test_a_notice_is_read_by_its_addressee_only(client, world):
    notices = {name: NoticeFactory(user=viewer, body=f"致{name}")
               for name, viewer in world.viewers.items() if name != "candidate"}
    wrong = []
    for name, viewer in world.viewers.items():
        if name == "candidate":
            continue
        for owner, notice in notices.items():
            with transaction.atomic():
                client.force_login(viewer)
                head = audit_head()
                status = client.post(reverse("backoffice:notice_read", args=[notice.pk])).status_code
                read = Notice.objects.get(pk=notice.pk).read_at is not None
                if owner == name and (status != 302 or not read):
                    wrong.append(f"{name} × own notice: {status}, read={read}")
                if owner != name and (status != 404 or read or acts_since(head)):
                    wrong.append(f"{name} × notice of {owner}: {status}, read={read}")
                transaction.set_rollback(True)
    assert wrong == []


def _assignment(world, stage, source, target, by):
    return CrossReviewAssignmentFactory(
        exam_year=world.applications["anxi"].exam_year, stage=stage, source=_org(world.tree, source),
        target=_org(world.tree, target), assigned_by=world.viewers[by])


# (source, target, stage, made by) → relation to 泉州's 考点 reviewer (who may assign, design §2)
ASSIGNMENTS = {
    "own": ("350524", "nanan_point", Stage.POINT_CONFIRM, "reviewer_quanzhou"),     # inside his subtree
    "sibling": ("35080001", "350800", Stage.POINT_CONFIRM, "reviewer_province"),    # 龙岩's
    "other city": ("350102", "350122", Stage.POINT_CONFIRM, "reviewer_province"),   # 福州's
    # The 考区 has 福州 do 泉州's own 考点审核: a decision above 泉州, about 泉州.
    "parent": ("350500", "350100", Stage.SITE_REVIEW, "reviewer_province"),
}
@pytest.mark.parametrize("relation", list(ASSIGNMENTS))
def test_cross_review_assignments_are_revoked_only_by_who_could_make_them(client, world, relation):
    status = _revoke(client, world, relation)
    if relation == "own":
        assert status == 302
    else:
        assert status in (403, 404)


def _revoke(client, world, relation):
    source, target, stage, by = ASSIGNMENTS[relation]
    assignment = _assignment(world, stage, source, target, by)
    client.force_login(world.viewers["reviewer_quanzhou"])
    head = audit_head()
    status = client.post(reverse("backoffice:cross_review_revoke", args=[assignment.pk])).status_code
    assignment.refresh_from_db()
    if status == 302:
        assert not assignment.active and audit_head() == head + 1
    else:
        assert assignment.active and not acts_since(head)
    return status


def test_cross_review_revoke_is_refused_to_every_other_role(client, world):
    source, target, stage, by = ASSIGNMENTS["own"]
    assignment = _assignment(world, stage, source, target, by)
    for name in ("reviewer_anxi_hospital", "reviewer_anxi_bureau", "reviewer_gulou_bureau", "candidate",
                 "sysadmin", "auditor"):
        client.force_login(world.viewers[name])
        assert client.post(reverse("backoffice:cross_review_revoke", args=[assignment.pk])).status_code == 403
    assignment.refresh_from_db()
    assert assignment.active


def _sheet_cells(world):
    for viewer_name, ref, relation, org in _org_cells(world):
        if relation != BELOW:
            yield viewer_name, f"sheet of {ref}", relation, org
    yield "sysadmin", "sheet of the root org", OWN, world.tree["350000"]


def _prepare_sheet(world, viewer, holder):
    import json

    from prereg.catalog.secretbox import seal

    entries = [{"org": holder.name, "role": "单位", "username": f"u{holder.code}", "name": "",
                "password": f"Pw-{holder.code}-secret"}]
    sheet = PasswordSheetFactory(exam_year=world.applications["anxi"].exam_year, holder=holder,
                                 ciphertext=seal(json.dumps(entries, ensure_ascii=False)))
    return {"sheet": sheet, "viewer": viewer, "password": entries[0]["password"]}


def _sheet_state(ctx):
    from prereg.catalog.models import PasswordSheet

    return PasswordSheet.objects.filter(pk=ctx["sheet"].pk).values_list("ciphertext", "revealed_by_id").first()


def _effect_sheet_revealed(ctx, response, body):
    if response.status_code != 200 or ctx["password"].encode() not in body:
        return f"status {response.status_code}, or the passwords are not shown"
    if _sheet_state(ctx) != ("", ctx["viewer"].pk):
        return "the sheet was not wiped at the first reading"


def _may_read_sheet(viewer_name, viewer, relation, ctx):
    if viewer.role == Role.SYSADMIN:
        return ctx["sheet"].holder.parent_id is None  # the root org's own sheet (design section 6)
    return viewer.role in Role.reviewer_roles() and relation == OWN


SHEET_REVEAL = Action(
    "password sheet reveal", _prepare_sheet,
    lambda client, ctx: client.post(reverse("backoffice:year_password_reveal", args=[ctx["sheet"].pk])),
    _sheet_state, _effect_sheet_revealed, _may_read_sheet, lambda ctx: ctx["password"].encode())


def test_password_sheets_are_read_once_by_the_holder_org_only(client, world):
    assert_cells(client, world, SHEET_REVEAL, list(_sheet_cells(world)))


# 单位添加申请: a request belongs to the region it names; the reviewers of that area resolve it.
UNIT_REQUEST_REGIONS = {OWN: "350524", SIBLING: "350583", PARENT: "350500", OTHER_CITY: "350102"}


def _unit_request_cells(world):
    for viewer_name in ("reviewer_anxi_bureau", "reviewer_anxi_hospital", "sysadmin", "auditor", "candidate"):
        for relation, region in UNIT_REQUEST_REGIONS.items():
            yield viewer_name, region, relation, region


def _prepare_unit_request(world, viewer, region):

    unit_request = UnitRequestFactory(full_name="安溪县某某诊所", region_code=region,
                                      requested_by=world.viewers["candidate"])
    return {"request": unit_request, "viewer": viewer, "target": world.tree["35052401"]}


def _unit_request_state(ctx):
    from prereg.orgs.models import UnitRequest

    return UnitRequest.objects.filter(pk=ctx["request"].pk).values_list("status", "resolved_org_id").first()


def _effect_pointed(ctx, response, body):
    if response.status_code != 302 or _unit_request_state(ctx) != ("pointed", ctx["target"].pk):
        return f"status {response.status_code}, state {_unit_request_state(ctx)}"


def _may_resolve(viewer_name, viewer, relation, ctx):
    # 报名点 安溪县卫计局 holds region 350524 only; the parent city's or another county's requests are not his.
    if not role_has_function(viewer.role, "add_unit") or viewer.role in (Role.CANDIDATE, Role.AUDITOR):
        return False
    return viewer.role == Role.SYSADMIN or relation == OWN


UNIT_REQUEST_RESOLVE = Action(
    "unit request resolve", _prepare_unit_request,
    lambda client, ctx: client.post(reverse("backoffice:unit_request_resolve", args=[ctx["request"].pk]),
                                    {"mode": "point", "org": ctx["target"].pk}),
    _unit_request_state, _effect_pointed, _may_resolve, lambda ctx: "安溪县某某诊所".encode())


def test_unit_requests_are_resolved_only_by_the_area_they_name(client, world):
    assert_cells(client, world, UNIT_REQUEST_RESOLVE, list(_unit_request_cells(world)))


# --- 配置角色权限: who may change which cell of the permission table ------------------------------
# A cell here is (viewer, one cell of the table): the viewer posts the grid with that one cell
# flipped. Allowed: the viewer holds 配置角色权限 and the cell is not locked (three-role
# separation); the cell flips and the change is audited. A locked cell is refused to everyone,
# the 考区 and the sysadmin included: nothing changes.


def _permission_table_cells(world):
    from prereg.accounts import permissions

    for viewer_name in RELATIONS:
        for code in permissions.TABLE:
            for role in Role.values:
                yield viewer_name, f"{code}:{role}", OWN, (code, role)


def _prepare_permission_cell(world, viewer, cell):
    from prereg.accounts import permissions

    permissions.invalidate_cache()  # a rolled-back cell leaves its value in the caches
    return {"cell": cell, "viewer": viewer}


def _permission_state(ctx):
    from prereg.accounts import permissions
    from prereg.accounts.models import RolePermission

    permissions.invalidate_cache()
    code, role = ctx["cell"]
    return permissions.role_has_function(role, code), RolePermission.objects.count()


def _flip_cell_call(client, ctx):
    from prereg.accounts import permissions

    code, role = ctx["cell"]
    data = {f"{c}:{r}": "on" for c in permissions.TABLE for r in Role.values if permissions.role_has_function(r, c)}
    data["shown"] = " ".join(data)  # the cells ticked when the page was loaded
    if f"{code}:{role}" in data:
        del data[f"{code}:{role}"]
    else:
        data[f"{code}:{role}"] = "on"
    return client.post(reverse("backoffice:role_permissions"), data)


def _effect_cell_flipped(ctx, response, body):
    from prereg.accounts import permissions

    code, role = ctx["cell"]
    permissions.invalidate_cache()
    if response.status_code != 302:
        return f"status {response.status_code}"
    if permissions.role_has_function(role, code) == (role in permissions.TABLE[code]):
        return "the cell did not change"
    if not AuditEvent.objects.filter(event="permission.change", details__function=code,
                                     details__role=role).exists():
        return "the change is not audited"


def _may_change_cell(viewer_name, viewer, relation, ctx):
    from prereg.accounts import permissions

    if not role_has_function(viewer.role, "configure_roles"):
        return False
    return REFUSED if permissions.is_locked(*ctx["cell"]) else True


PERMISSION_CELL = Action("change a cell of the permission table", _prepare_permission_cell, _flip_cell_call,
                         _permission_state, _effect_cell_flipped, _may_change_cell)


def test_cells_of_the_permission_table_are_changed_only_by_who_configures_roles_and_never_when_locked(
        client, world):
    from prereg.accounts import permissions

    wrong, _xfailed, sides = run_cells(client, world, PERMISSION_CELL, list(_permission_table_cells(world)))
    permissions.invalidate_cache()
    assert sides == {True, False}
    assert wrong == []


def test_the_locked_cells_of_the_permission_table_are_the_audit_and_outbox_rows_the_auditor_and_the_notice_columns():
    from prereg.accounts import permissions

    locked = {(c, r) for c in permissions.TABLE for r in Role.values if permissions.is_locked(c, r)}
    assert {(c, r) for c in ("read_audit_log", "view_sms_outbox", "logout") for r in Role.values} <= locked
    assert {(c, Role.AUDITOR) for c in permissions.TABLE} <= locked
    assert {(c, r) for c in permissions.SOURCE_FUNCTIONS for r in (Role.SYSADMIN, Role.DISTRICT)} <= locked
    # The 考区 still configures the lower levels: 考点's 批量提交, say.
    assert ("batch_submit", Role.SITE) not in locked and ("review", Role.UNIT) not in locked


# --- the shape of the matrix ---------------------------------------------------------------------


def test_the_matrix_catches_a_forgotten_scope(client, world, monkeypatch):
    """Proof that the matrix has teeth: with the scope of applications and of export jobs
    removed, the denied cells of downloads are reported (and only the denied ones)."""
    from prereg.applications.models import ApplicationQuerySet
    from prereg.exports import services as export_services

    download_image = next(a for a in APPLICATION_ACTIONS if a.name == "download image")
    download_job = next(a for a in JOB_ACTIONS if a.name == "export download")
    monkeypatch.setattr(ApplicationQuerySet, "visible_to", lambda self, user: self.all())
    monkeypatch.setattr(export_services, "job_for", lambda user, job_id, lock=False: ExportJob.objects.get(pk=job_id))
    for action, cells in ((download_image, _application_cells(world, download_image)),
                          (download_job, _job_cells(world))):
        wrong, _xfailed, _sides = run_cells(client, world, action, list(cells))
        assert wrong and all("expected 403/404" in w or "denied" in w for w in wrong)
        assert any("other city" in w for w in wrong)



def test_the_matrix_covers_every_role_and_relation():
    roles = {Role.UNIT, Role.POINT, Role.SITE, Role.DISTRICT, Role.CANDIDATE, Role.SYSADMIN, Role.AUDITOR}
    named = {"reviewer_anxi_hospital": Role.UNIT, "reviewer_anxi_bureau": Role.POINT,
             "reviewer_quanzhou": Role.SITE, "reviewer_province": Role.DISTRICT, "candidate": Role.CANDIDATE,
             "sysadmin": Role.SYSADMIN, "auditor": Role.AUDITOR}
    assert {named[v] for v in RELATIONS if v in named} == roles
    for viewer in ("reviewer_anxi_hospital", "reviewer_anxi_bureau", "reviewer_quanzhou"):
        relations = {RELATIONS[viewer].get(k, OTHER_CITY) for k in WORLD}
        assert relations == {OWN, SIBLING, PARENT, OTHER_CITY}
    assert set(ORG_POSITIONS) == set(RELATIONS)


def test_every_url_with_an_object_id_is_in_the_matrix():
    """A new URL taking an id fails here until it gets its row (or a reason to have none)."""
    from django.urls import get_resolver

    covered = {"files:image", "files:thumb", "files:verify", "backoffice:review", "backoffice:review_check",
               "backoffice:review_decide", "backoffice:review_recall", "backoffice:review_edit",
               "backoffice:print_confirmation", "backoffice:export_application_images", "candidate:image_delete",
               "backoffice:candidate_detail", "backoffice:candidate_unlock", "backoffice:candidate_reset",
               "backoffice:candidate_phone", "backoffice:orgs_detail", "backoffice:orgs_edit",
               "backoffice:orgs_delete", "backoffice:orgs_admin_reset", "backoffice:accounts_reset",
               "backoffice:accounts_edit",
               "backoffice:export_status", "backoffice:export_download", "backoffice:export_delete",
               "backoffice:notice_read", "backoffice:cross_review_revoke", "backoffice:year_password_reveal",
               "backoffice:unit_request_resolve"}
    # Exam years, their catalogue entries and announcements belong to no org: one function of the
    # permission table (manage years) decides, for every one of them alike (tests/catalog).
    no_owner = {"backoffice:year_detail", "backoffice:year_project_add", "backoffice:year_catalogue_download",
                "backoffice:year_catalogue_import", "backoffice:year_entries", "backoffice:year_entry_edit",
                "backoffice:announcement_edit", "backoffice:announcement_publish", "backoffice:year_project_edit",
                "backoffice:year_rules"}
    # A slug that names a page, not an object: the manual to show, the form section to save (of
    # request.user's own application); the 图形验证码 picture's one-time key (anyone's to see: the
    # picture is the challenge, its answer stays in the store).
    not_an_object = {"backoffice:manual", "candidate:section", "captcha-image"}
    with_id = set()

    def walk(patterns, namespace=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif p.pattern.converters and p.name:
                with_id.add(f"{namespace}{p.name}")

    walk(get_resolver().url_patterns)
    assert with_id - covered - no_owner - not_an_object == set()


def test_an_anonymous_visitor_gets_no_object(client, world):
    for url_name in ("files:image", "files:thumb"):
        response = client.get(reverse(url_name, kwargs={"pk": world.images["anxi"].pk}))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
