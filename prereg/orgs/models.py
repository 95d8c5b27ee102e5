"""The organisation tree: 考区 → 考点 → 报名点 → 单位, one tree, several levels per org."""

import functools
import re

from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Substr

from prereg.accounts.models import Role


class Level(models.TextChoices):
    DISTRICT = "district", "考区"
    SITE = "site", "考点"
    POINT = "point", "报名点"
    UNIT = "unit", "单位"


LEVEL_FIELDS = {
    Level.DISTRICT: "is_district",
    Level.SITE: "is_site",
    Level.POINT: "is_point",
    Level.UNIT: "is_unit",
}


# pypinyin is imported inside these two functions: its dictionaries double a web process's memory
# (about +55 MB, +0.5 s to load), and only a process that saves orgs needs them.
@functools.lru_cache(maxsize=50_000)
def _word_keys(word: str) -> tuple[str, str]:
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(word)).lower(), "".join(lazy_pinyin(word, style=Style.FIRST_LETTER)).lower()


@functools.lru_cache(maxsize=100_000)
def _run_keys(run: str) -> tuple[str, str]:
    from pypinyin.core import seg

    keys = [_word_keys(word) for word in seg(run)]
    return "".join(k[0] for k in keys), "".join(k[1] for k in keys)


_ASCII_RUNS = re.compile(r"([\x00-\x7f]+)")


def search_keys(name: str, short_name: str = "") -> tuple[str, str]:
    """(pinyin, initials) of an org's names: what lazy_pinyin gives for the whole text, computed
    from pypinyin's own segmentation with each word's result cached (a province's names repeat
    市, 县, 卫生院, 社区卫生服务中心…: an import of 100,000 units computes each once). Runs of
    ASCII (numbers, Latin letters) have no pinyin and stay as they are, lower-cased, as lazy_pinyin
    leaves them; between them, the same run of characters is segmented once."""
    text = f"{name} {short_name}".strip().replace(" ", "")
    pinyin, initials = [], []
    for i, run in enumerate(_ASCII_RUNS.split(text)):
        if not run:
            continue
        full, first = (run.lower(), run.lower()) if i % 2 else _run_keys(run)
        pinyin.append(full)
        initials.append(first)
    return "".join(pinyin)[:400], "".join(initials)[:100]


# The orgs that serve an area: the 考区, the 考点 and the 报名点 that are health bureaus (区县卫健局,
# some a unit too, for their own staff). Candidates' 单位添加申请 go to them (notice 备注3: 乡镇卫生院,
# clinics… → 报名点（区县卫计局）). Not a unit that is a 报名点 for its own staff (福州市第一医院,
# 福建省立医院: it holds the 单位审查 right, notice 备注1-2): it serves its own people, no area.
AREA_OFFICE = Q(is_district=True) | Q(is_site=True) | Q(is_point=True) & ~Q(is_unit=True, has_review_right=True)


def role_word(role: str) -> str:
    """A role as the org pages name who disabled an org: 考区, 考点…, 系统管理员."""
    return "系统管理员" if role == Role.SYSADMIN else Role(role).label


class OrgQuerySet(models.QuerySet):
    def subtree_of(self, org):
        """The org and everything below it: one indexed prefix query on the materialized path."""
        return self.filter(path__startswith=org.path)

    def reviewing(self):
        return self.filter(Q(is_district=True) | Q(is_site=True) | Q(is_point=True))

    def area_offices(self):
        return self.filter(AREA_OFFICE)

    def visible_to(self, user):
        """Orgs a back-office user may see: his subtree (the sysadmin: all). Deny by default."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role == Role.SYSADMIN:
            return self.all()
        if user.role in Role.reviewer_roles() and user.org_id:
            return self.subtree_of(user.org)
        return self.none()

    def manageable_by(self, user):
        """Orgs a user may change: strictly below his own org (the sysadmin: all)."""
        qs = self.visible_to(user)
        if user.is_authenticated and user.role != Role.SYSADMIN and user.org_id:
            qs = qs.exclude(pk=user.org_id)
        return qs


class Org(models.Model):
    code = models.CharField("机构代码", max_length=20, unique=True)
    name = models.CharField("规范全称", max_length=100)
    short_name = models.CharField("简称", max_length=50, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name="上级机构", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # "/<id>/<id>/…/": the ids of the ancestors and self, so a subtree is `path LIKE 'x%'`.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    is_district = models.BooleanField("考区", default=False)
    is_site = models.BooleanField("考点", default=False)
    is_point = models.BooleanField("报名点", default=False)
    is_unit = models.BooleanField("单位", default=True)
    # A unit added by a registration point only exists for candidates to choose; it reviews
    # nothing until the 考区 grants the right (reviewer manual section 六.2).
    has_review_right = models.BooleanField("单位审查权限", default=False)
    region_code = models.CharField("所在地区", max_length=6, blank=True)
    enabled = models.BooleanField("启用", default=True)
    # The role of who disabled it (禁用): none of lower rank enables it again (services.enable_refusal);
    # "" while enabled, and for an org disabled before this was kept.
    disabled_by_role = models.CharField("禁用者级别", max_length=20, choices=Role.choices, blank=True, default="")
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    # Search keys for the unit dictionary ("省立", "slyy", "fujianshengli…").
    pinyin = models.CharField(max_length=400, blank=True, editable=False)
    initials = models.CharField(max_length=100, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=0, editable=False)  # core.versions.check_version

    objects = OrgQuerySet.as_manager()

    class Meta:
        verbose_name = "机构"
        ordering = ["path"]

    def __str__(self):
        return self.name

    @property
    def level_labels(self):
        return [label for level, label in Level.choices if getattr(self, LEVEL_FIELDS[level])]

    @property
    def disabled_by_word(self) -> str:
        return role_word(self.disabled_by_role) if self.disabled_by_role else ""

    def is_visible_to(self, user) -> bool:
        """Whether `user` may see this org (Org.objects.visible_to): for the apps below orgs, which ask."""
        return Org.objects.visible_to(user).filter(pk=self.pk).exists()

    def ancestors_and_self(self):
        """Nearest first."""
        ids = [int(p) for p in self.path.strip("/").split("/") if p]
        by_id = Org.objects.in_bulk(ids)
        return [by_id[i] for i in reversed(ids) if i in by_id]

    def is_within(self, other: "Org") -> bool:
        return self.path.startswith(other.path)

    def refresh_path(self):
        """Recompute path/depth from the parent; callers save and then fix the subtree."""
        prefix = self.parent.path if self.parent_id else "/"
        self.path = f"{prefix}{self.pk}/"
        self.depth = self.path.count("/") - 2

    def refresh_search_keys(self):
        self.pinyin, self.initials = search_keys(self.name, self.short_name)

    def save(self, *args, **kwargs):
        self.refresh_search_keys()
        creating = self.pk is None
        super().save(*args, **kwargs)
        old_path = self.path
        self.refresh_path()
        if creating or self.path != old_path:
            Org.objects.filter(pk=self.pk).update(path=self.path, depth=self.depth)
            if not creating and old_path:
                # Moving an org carries its whole subtree with it: the old prefix of the paths
                # becomes the new one, every depth shifts by as much as the org's own.
                Org.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(Value(self.path), Substr("path", len(old_path) + 1)),
                    depth=F("depth") + self.depth - (old_path.count("/") - 2))


class CrossReviewAssignment(models.Model):
    """分配交叉审核: the stage normally done by `source` is done by `target` for a year."""

    exam_year = models.ForeignKey("catalog.ExamYear", on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=20)  # applications.Stage value
    source = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+", verbose_name="原审核机构")
    target = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+", verbose_name="交叉审核机构")
    assigned_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "交叉审核分配"
        constraints = [
            models.UniqueConstraint(
                fields=["exam_year", "stage", "source"], condition=Q(active=True), name="one_active_assignment"
            )
        ]


def region_prefix(code: str) -> str:
    """The digits the regions inside a region code share: 350000 (the province) → 35, 350500 (泉州)
    → 3505, 350524 (安溪县) → 350524."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


class UnitRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Requests of the areas of the area offices (AREA_OFFICE) of the user's subtree: a county
        bureau of 350122 sees 350122, a 考点 of 350100 all 3501xx, the 考区 of 350000 all 35xxxx. A
        unit's region (a 报名点 for its own staff included) is where it is, no area. Deny by
        default, as Org.objects.visible_to: no area office, no requests."""
        if user.is_authenticated and user.is_active and user.role == Role.SYSADMIN:
            return self.all()  # the requests of regions no org holds too
        offices = Org.objects.visible_to(user).area_offices().exclude(region_code="")
        areas = {region_prefix(region) for region in offices.values_list("region_code", flat=True)}
        cond = Q()
        for area in areas:
            if not any(area != wider and area.startswith(wider) for wider in areas):  # 3501 covers 350122
                cond |= Q(region_code__startswith=area)
        return self.filter(cond) if areas else self.none()


class UnitRequest(models.Model):
    """A candidate who cannot find his unit asks the registration points of his area to add it."""

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        ADDED = "added", "已新增"
        POINTED = "pointed", "已指向现有单位"
        REFUSED = "refused", "不予添加"

    full_name = models.CharField("单位全称", max_length=100)
    region_code = models.CharField("所在地区", max_length=6)
    phone = models.CharField("联系电话", max_length=20)
    requested_by = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="unit_requests")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_org = models.ForeignKey(Org, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    refuse_reason = models.CharField("不予添加原因", max_length=200, blank=True)  # told to the candidate by SMS

    objects = UnitRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "单位添加申请"
        ordering = ["-created_at"]
