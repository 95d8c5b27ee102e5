"""IDOR matrix: every object URL × every role × {own, sibling, parent, other city}.

The matrix is data. WORLD builds one submitted application (with one certificate image) per
position in the org tree; RELATIONS says, for each viewer, how each application stands to him;
ROWS lists the object URLs. A cell is allowed only when the relation is "own" (the viewer's org
is named in the application's chain, or it is the candidate's own application) and the row's
roles admit the viewer. A new object URL is one more Row.

Rows marked deny_only belong to pages whose allowed answer depends on the application's state
or a valid form (decide, recall, print…): for them only the denied cells are asserted — 403 or
404, and nothing changed. Rows whose URL name is not defined (yet) are skipped.
"""

from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.urls import NoReverseMatch, reverse

from prereg.accounts.models import Role
from prereg.applications.models import Application, ApplicationImage, Stage, State
from prereg.orgs.routing import resolve_chain
from tests.factories import CandidateFactory, OrgFactory, UserFactory

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

OWN, SIBLING, PARENT, OTHER_CITY = "own", "sibling", "parent", "other city"
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
    # 系统管理 sees every submitted application (Application.objects.visible_to).
    "sysadmin": dict.fromkeys(WORLD, OWN),
    "auditor": {},                                     # 审计管理员: no application at all
}
REVIEWERS = {v for v in RELATIONS if v.startswith("reviewer_")}
EVERYONE = set(RELATIONS)


@dataclass(frozen=True)
class Row:
    url_name: str
    method: str = "GET"
    obj: str = "application"  # which pk the URL takes: "application" or "image"
    roles: frozenset = field(default_factory=lambda: frozenset(EVERYONE - {"auditor"}))
    deny_only: bool = False
    data: dict = field(default_factory=dict)


ROWS = [
    Row("files:image", obj="image"),
    Row("files:thumb", obj="image"),
    Row("backoffice:review", roles=frozenset(REVIEWERS), deny_only=True),
    Row("backoffice:review_check", "POST", roles=frozenset(REVIEWERS), deny_only=True,
        data={"field": "id_card", "consistent": "1"}),
    Row("backoffice:review_decide", "POST", roles=frozenset(REVIEWERS), deny_only=True,
        data={"decision": "approve", "opinion": ""}),
    Row("backoffice:review_recall", "POST", roles=frozenset(REVIEWERS), deny_only=True),
    Row("backoffice:review_edit", "POST", roles=frozenset(REVIEWERS), deny_only=True, data={"name": "篡改"}),
    Row("backoffice:print_confirmation", deny_only=True),
    Row("backoffice:export_application_images", "POST", roles=frozenset(REVIEWERS | {"sysadmin"}), deny_only=True),
    Row("candidate:image_delete", "POST", obj="image", roles=frozenset({"candidate"}), deny_only=True),
]


def _org(tree, ref):
    return tree[ref] if ref in tree else tree[f"new:{ref}"]


@pytest.fixture
def world(tree, year, request):
    # Every viewer exists before the chains are resolved: unit reviewers decide unit routing.
    viewers = {name: request.getfixturevalue(name) for name in RELATIONS}
    tree = dict(tree)
    for key, (parent, levels, reviewers) in NEW_ORGS.items():
        org = OrgFactory(parent=_org(tree, parent), is_unit="unit" in levels, is_point="point" in levels,
                         has_review_right=reviewers)
        tree[f"new:{key}"] = org
        if reviewers:
            UserFactory(role=Role.UNIT, org=org)
    applications, images = {}, {}
    for n, (key, unit_ref) in enumerate(WORLD.items()):
        owner = viewers["candidate"] if key == "anxi" else CandidateFactory()
        unit = _org(tree, unit_ref)
        application = Application.objects.create(
            candidate=owner, exam_year=year, unit=unit, name=f"考生{n}", state=State.IN_REVIEW,
            stage=Stage.UNIT_REVIEW, submission_round=1, number=f"{year.year}9{n:07d}",
            **resolve_chain(unit).as_fields())
        image = ApplicationImage(application=application, slot="id_front", sha256="0" * 64, size=4, width=1,
                                 height=1, content_type="image/png", uploaded_by=owner)
        image.file.save(f"{key}.png", ContentFile(b"\x89PNG"), save=True)
        applications[key], images[key] = application, image
    return viewers, applications, images


def _cells():
    for viewer, relations in RELATIONS.items():
        for app_key in WORLD:
            yield viewer, app_key, relations.get(app_key, OTHER_CITY)


def _call(client, row, pk):
    url = reverse(row.url_name, kwargs={"pk": pk})
    return client.get(url) if row.method == "GET" else client.post(url, row.data)


def _snapshot(application, image):
    application.refresh_from_db()
    return (application.state, application.stage, application.version, application.name,
            ApplicationImage.objects.filter(pk=image.pk).exists())


@pytest.mark.parametrize("row", ROWS, ids=[r.url_name for r in ROWS])
def test_object_url_answers_only_the_allowed_cells(client, world, row):
    try:
        reverse(row.url_name, kwargs={"pk": 1})
    except NoReverseMatch:
        pytest.skip(f"{row.url_name} is not defined")
    viewers, applications, images = world
    wrong = []
    for viewer, app_key, relation in _cells():
        allowed = relation == OWN and viewer in row.roles
        if allowed and row.deny_only:
            continue
        application, image = applications[app_key], images[app_key]
        pk = image.pk if row.obj == "image" else application.pk
        before = _snapshot(application, image)
        client.force_login(viewers[viewer])
        status = _call(client, row, pk).status_code
        if allowed and status != 200:
            wrong.append(f"{viewer} × {app_key} ({relation}): expected 200, got {status}")
        if not allowed:
            if status not in (403, 404):
                wrong.append(f"{viewer} × {app_key} ({relation}): expected 403/404, got {status}")
            if _snapshot(application, image) != before:
                wrong.append(f"{viewer} × {app_key} ({relation}): denied, yet the application changed")
    assert wrong == []


def test_the_matrix_covers_every_role_and_relation():
    roles = {Role.UNIT, Role.POINT, Role.SITE, Role.DISTRICT, Role.CANDIDATE, Role.SYSADMIN, Role.AUDITOR}
    named = {"reviewer_anxi_hospital": Role.UNIT, "reviewer_anxi_bureau": Role.POINT,
             "reviewer_quanzhou": Role.SITE, "reviewer_province": Role.DISTRICT, "candidate": Role.CANDIDATE,
             "sysadmin": Role.SYSADMIN, "auditor": Role.AUDITOR}
    assert {named[v] for v in RELATIONS if v in named} == roles
    for viewer in ("reviewer_anxi_hospital", "reviewer_anxi_bureau", "reviewer_quanzhou"):
        assert {r for _, _, r in (c for c in _cells() if c[0] == viewer)} == {OWN, SIBLING, PARENT, OTHER_CITY}


def test_an_anonymous_visitor_gets_no_object(client, world):
    _viewers, applications, images = world
    for row in ROWS[:2]:
        response = client.get(reverse(row.url_name, kwargs={"pk": images["anxi"].pk}))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
