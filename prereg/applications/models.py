"""The application (报名信息), its rows and images, and the review record.

The workflow that moves an application between states lives in workflow.py (the table) and
services.py (one function per act); nothing else writes `state` or `stage`.
"""

import datetime
import functools
import operator
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q

from prereg.accounts.models import Role
from prereg.core.validators import parse_id_number
from prereg.orgs.stages import Stage

from .values import is_resident_id


class State(models.TextChoices):
    DRAFT = "draft", "草稿"
    IN_REVIEW = "in_review", "审核中"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "审核通过"

    @classmethod
    def editable_by_candidate(cls):
        return (cls.DRAFT, cls.RETURNED)


STAGE_ORDER = [Stage.UNIT_REVIEW, Stage.POINT_CONFIRM, Stage.SITE_REVIEW, Stage.DISTRICT_RECHECK]
# The 审核确认单 prints once the 报名点 has confirmed (notice, 七): per state, the stages it prints at
# (None: any), so approved, or in review at a stage after the 报名点's. The one statement of the rule:
# Application.is_printable reads it for one application, .printable() for a query.
PRINTABLE_AT = {State.APPROVED: None, State.IN_REVIEW: (Stage.SITE_REVIEW, Stage.DISTRICT_RECHECK)}
# The Application column naming the org that acts at each stage.
STAGE_ORG_FIELD = {
    Stage.UNIT_REVIEW: "unit_review_org",
    Stage.POINT_CONFIRM: "point_org",
    Stage.SITE_REVIEW: "site_org",
    Stage.DISTRICT_RECHECK: "district_org",
}


def chain_names(org, lookup: str = "exact") -> Q:
    """The chain names `org` at some stage: one of the four columns of STAGE_ORG_FIELD matches
    (`lookup` "in" for any org of a queryset). The one spelling of "this application is within
    this reviewer's part of the tree" (visible_to, selectors.candidates_visible_to)."""
    matches = (Q(**{f"{column}__{lookup}": org}) for column in STAGE_ORG_FIELD.values())
    return functools.reduce(operator.or_, matches)


def months_between(start, end) -> int:
    """Whole months from `start` to `end`; an end on a month's last day counts that month."""
    if not start or not end or end < start:
        return 0
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if (end + datetime.timedelta(days=1)).month != end.month:
        months += 1
    return months


def _month(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def last_counted_month(cutoff: datetime.date) -> int:
    """The last month counted: the cut-off's own once it is whole (its last day), as in months_between."""
    return _month(cutoff) - (cutoff.month == (cutoff + datetime.timedelta(days=1)).month)


def counted_months(periods, cutoff) -> set[int]:
    """The months (year·12 + month − 1) of `periods` [(start, end; None while it runs)] up to the cut-off
    (rules file §1.3: whole months, the start month counts; rows summed, each clipped to the cut-off, an
    overlap counted once). A row's end month counts too: a row ending 2024-12 includes December, though the
    form stores that end as 2024-12-01."""
    last = last_counted_month(cutoff)
    months = set()
    for start, end in periods:
        if start:
            months.update(range(_month(start), min(_month(end) if end else last, last) + 1))
    return months


def months_in(periods, cutoff) -> int:
    return len(counted_months(periods, cutoff))


def years_months(months: int) -> str:
    return f"{months // 12}年{months % 12}月"


class Verdict(models.TextChoices):
    """资格初审 assistant's verdict (prereg.applications.eligibility)."""
    ELIGIBLE = "eligible", "符合"
    NOT_ELIGIBLE = "not_eligible", "不符合"
    CHECK = "check", "需人工核实"


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class ApplicationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Deny by default: a candidate sees his own, a reviewer what his org's chain names."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role == Role.CANDIDATE:
            return self.filter(candidate=user)
        if user.role in Role.reviewer_roles() and user.org_id:
            return self.filter(chain_names(user.org_id)).exclude(state=State.DRAFT, submission_round=0)
        # The sysadmin runs the system, not candidates' data (三员分立, PIPL minimum necessary):
        # he falls through to nothing, like the auditor.
        return self.none()

    def printable(self):
        """Applications whose 审核确认单 can be printed (PRINTABLE_AT, as Application.is_printable)."""
        return self.filter(functools.reduce(operator.or_, (
            Q(state=state) if stages is None else Q(state=state, stage__in=stages)
            for state, stages in PRINTABLE_AT.items())))

    def pending_for(self, org):
        """Applications waiting for a decision of `org` at their current stage."""
        return self.filter(waiting_org=org)


class Application(models.Model):
    candidate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications")
    exam_year = models.ForeignKey("catalog.ExamYear", on_delete=models.PROTECT, related_name="applications")
    project = models.ForeignKey(
        "catalog.ExamProject", null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    # The unique number printed on the confirmation form (审核确认单), given at first submission.
    number = models.CharField("报名号", max_length=20, null=True, blank=True, unique=True)

    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    stage = models.CharField("审核环节", max_length=20, choices=Stage.choices, blank=True, db_index=True)
    # Incremented by every transition: the compare-and-set token of the workflow.
    version = models.PositiveIntegerField(default=0)
    # {section: saves}: each section's own compare-and-set token, so a save from a page (a tab, a
    # second device) drawn before another save of that section is refused instead of undoing it,
    # while the sections of one page are saved one after another.
    section_versions = models.JSONField(default=dict, blank=True)
    submission_round = models.PositiveIntegerField("提交次数", default=0)
    # After approval at the 考点/考区, waiting for that org's 汇总提交.
    awaiting_forward = models.BooleanField(default=False)

    # The unit chosen from the dictionary; the chain is resolved from it at submission.
    unit = models.ForeignKey("orgs.Org", verbose_name="单位名称", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    unit_review_org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    point_org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    site_org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    district_org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    # 基本信息
    name = models.CharField("姓名", max_length=50, blank=True)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices, blank=True)
    id_type = models.CharField("证件类型", max_length=20, blank=True)
    id_number = models.CharField("证件编号", max_length=30, blank=True, db_index=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    ethnicity = models.ForeignKey("catalog.Ethnicity", verbose_name="民族", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    postcode = models.CharField("邮编", max_length=6, blank=True)
    phone = models.CharField("手机号码", max_length=20, blank=True)
    address = models.CharField("联系地址", max_length=200, blank=True)

    # 教育情况
    chsi_code = models.CharField("学信网在线验证码", max_length=20, blank=True)

    # 申报信息及现有资格
    level = models.ForeignKey("catalog.ExamLevel", verbose_name="报考级别", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    qualification = models.ForeignKey("catalog.Qualification", verbose_name="拟申报资格", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey("catalog.PracticeCategory", verbose_name="执业类别", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    scope = models.ForeignKey("catalog.PracticeScope", verbose_name="执业注册范围", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    specialty = models.ForeignKey("catalog.Specialty", verbose_name="申报专业", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    practice_change = models.CharField("执业变更情况", max_length=200, blank=True)
    current_qualification = models.CharField("现有资格", max_length=50, blank=True)
    current_qualification_date = models.DateField("现有资格取得年月", null=True, blank=True)
    # 执业注册 (the practice certificate's registration): 人社部发〔2021〕51号 counts practice years from it.
    practice_registered = models.DateField("执业注册年月", null=True, blank=True)
    # 资格初审 assistant (prereg.applications.eligibility): kept for the lists, exports and statistics,
    # refreshed by each save of the candidate and when the year's rules change.
    verdict = models.CharField("资格初审", max_length=20, blank=True, db_index=True, choices=Verdict.choices)
    verdict_text = models.TextField("资格初审说明", blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField("最近审核时间", null=True, blank=True)
    approved_at = models.DateTimeField("审核通过时间", null=True, blank=True)
    returned_reason = models.TextField("退回原因", blank=True)
    # 国网 mark per stage: {"unit": true, …} — the matching step was done on the national site.
    national_marks = models.JSONField(default=dict, blank=True)
    # Derived: the org whose decision the application waits for (in review, at its stage, not
    # approved-and-awaiting 汇总提交); kept by save() so each queue is one indexed range, in
    # submission order, instead of a union of four org columns.
    waiting_org = models.ForeignKey("orgs.Org", null=True, blank=True, editable=False,
                                    on_delete=models.PROTECT, related_name="+")

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = "报名信息"
        constraints = [
            models.UniqueConstraint(fields=["candidate", "exam_year"], name="one_application_per_year"),
        ]
        indexes = [
            models.Index(fields=["state", "stage", "unit_review_org"]),
            models.Index(fields=["state", "stage", "point_org"]),
            models.Index(fields=["state", "stage", "site_org"]),
            models.Index(fields=["state", "stage", "district_org"]),
            models.Index(fields=["waiting_org", "submitted_at"]),
            # The queue's other sorts and its commonest filter, each an index range too
            # (sorting or filtering a large queue by reading its rows is what queue_page_ms measures).
            models.Index(fields=["waiting_org", "name"]),
            models.Index(fields=["waiting_org", "number"]),
            models.Index(fields=["waiting_org", "specialty", "submitted_at"]),
            models.Index(fields=["waiting_org", "unit"]),
            # 进度跟踪 (prereg.exports.stats): every column its aggregates read, so they scan this
            # index alone instead of the ~400-byte rows; grouped in this order (unit, state,
            # stage, chain, level, specialty, 资格初审 verdict) SQLite aggregates while scanning,
            # without a sort.
            models.Index(fields=["exam_year", "unit", "state", "stage", "unit_review_org", "point_org",
                                 "site_org", "district_org", "level", "specialty", "verdict", "submission_round",
                                 "submitted_at", "decided_at"], name="application_stats_cover_idx"),
        ]

    def __str__(self):
        return f"{self.name or self.candidate} · {self.exam_year}"

    @property
    def is_printable(self) -> bool:
        """The 审核确认单 prints once the 报名点 has confirmed (PRINTABLE_AT, as .printable())."""
        stages = PRINTABLE_AT.get(self.state, ())  # a state not listed: never
        return stages is None or self.stage in stages

    @property
    def is_withdrawn(self) -> bool:
        """Submitted once and a draft again: only 撤回 leads back to 草稿 (workflow.TRANSITIONS), so the pages
        say 已撤回 and that it must be submitted again, not a bare 草稿, and a reviewer that 考生已撤回."""
        return self.state == State.DRAFT and self.submission_round > 0

    @property
    def has_resident_id(self) -> bool:
        """A 居民身份证 (the account's default type): birth date and gender follow from its number."""
        return is_resident_id(self.id_type)

    def derive_from_id_number(self) -> None:
        """Birth date and gender are read from a resident ID number, never typed."""
        if self.has_resident_id and self.id_number:
            try:
                facts = parse_id_number(self.id_number)
            except ValidationError:
                return
            self.birth_date, self.gender = facts.birth_date, facts.gender

    @property
    def qualification_duration(self) -> str:
        """现技术资格取得年限: from the date obtained to the year's cut-off (computed, never typed)."""
        if not self.current_qualification_date or self.current_qualification in ("", "无"):
            return ""
        return years_months(months_between(self.current_qualification_date, self.exam_year.cutoff_date))

    def save(self, *args, **kwargs):
        self.refresh_waiting_org()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "waiting_org" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "waiting_org"]
        super().save(*args, **kwargs)

    def refresh_waiting_org(self):
        waiting = self.state == State.IN_REVIEW and self.stage and not self.awaiting_forward
        self.waiting_org_id = self.org_id_at(self.stage) if waiting else None

    def org_at(self, stage):
        return getattr(self, STAGE_ORG_FIELD[Stage(stage)])

    def org_id_at(self, stage):
        return getattr(self, STAGE_ORG_FIELD[Stage(stage)] + "_id")


class Row(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["order", "pk"]


class WorkRow(Row):
    """工作情况"""

    unit_name = models.CharField("单位名称", max_length=100)
    title = models.CharField("现有专业技术职务", max_length=50, blank=True)
    start = models.DateField("开始时间")
    end = models.DateField("结束时间", null=True, blank=True)  # empty: 至今
    major = models.CharField("专业", max_length=50, blank=True)

    class Meta(Row.Meta):
        verbose_name = verbose_name_plural = "工作经历"


class EducationRow(Row):
    """教育情况: 学历 and 学位 rows; the first of each kind (order 0) is the 参评 one."""

    class Kind(models.TextChoices):
        EDUCATION = "education", "学历"
        DEGREE = "degree", "学位"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    level = models.CharField("学历/学位", max_length=30)
    obtained = models.DateField("取得时间")
    school = models.CharField("学校", max_length=100)
    study_form = models.CharField("学习形式", max_length=20)
    major = models.CharField("专业", max_length=50)

    class Meta(Row.Meta):
        verbose_name = verbose_name_plural = "教育情况"


class AppointmentRow(Row):
    """现有资格聘任情况"""

    unit_name = models.CharField("聘任单位", max_length=100)
    post = models.CharField("现聘任职务/职称", max_length=50)
    qualification = models.CharField("现聘任职务/技术资格", max_length=50)
    start = models.DateField("聘任开始")
    end = models.DateField("聘任结束", null=True, blank=True)

    class Meta(Row.Meta):
        verbose_name = verbose_name_plural = "现有资格聘任情况"

    @property
    def duration(self) -> str:
        """现技术资格聘任年限: through its end month (2015-09 to 2018-07 is 2年11月), or to the year's
        cut-off while still running, as the 资格初审 counts the months appointed."""
        return years_months(months_in([(self.start, self.end)], self.application.exam_year.cutoff_date))


class TrainingRow(Row):
    """住院医师规范化培训 and 全科医生规范化培训 rows."""

    class Kind(models.TextChoices):
        RESIDENCY = "residency", "住院医师规范化培训"
        GENERAL_PRACTICE = "gp", "全科医生规范化培训"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    certificate_no = models.CharField("证书编号", max_length=50)
    specialty = models.CharField("培训专业", max_length=50)
    start = models.DateField("培训开始")
    end = models.DateField("培训结束")
    base = models.CharField("培训基地", max_length=100)
    issued = models.DateField("发证日期")

    class Meta(Row.Meta):
        verbose_name = verbose_name_plural = "规培情况"


class OtherRow(Row):
    """其他: one of the eight kinds of the manual, with a note and images."""

    kind = models.CharField("类型", max_length=30)
    note = models.CharField("备注", max_length=300, blank=True)

    class Meta(Row.Meta):
        verbose_name = verbose_name_plural = "其他材料"


class ImageSlot(models.TextChoices):
    """The 📷 fields of the candidate manual, section 六."""

    ID_FRONT = "id_front", "身份证正面"
    ID_BACK = "id_back", "身份证反面"
    PHOTO = "photo", "考生照片"
    EDUCATION = "education", "学历证书"
    DEGREE = "degree", "学位证书"
    CATEGORY = "category", "执业类别（护士执业证书/医师资格证书）"
    SCOPE = "scope", "执业注册范围（执业证书）"
    PRACTICE_CHANGE = "practice_change", "执业变更记录页"
    CURRENT_QUALIFICATION = "current_qualification", "现有资格证书"
    APPOINTMENT = "appointment", "聘书（合同、文件）"
    RESIDENCY = "residency", "住院医师规范化培训合格证书"
    GENERAL_PRACTICE = "gp", "全科医生规范化培训合格证书"
    OTHER = "other", "其他材料"


class ApplicationImage(models.Model):
    """One stored, re-encoded certificate image; `row_id` names the row for per-row slots."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="images")
    slot = models.CharField(max_length=30, choices=ImageSlot.choices)
    row_id = models.PositiveBigIntegerField(null=True, blank=True)
    file = models.FileField(upload_to="images/%Y/%m/", max_length=200)
    thumbnail = models.FileField(upload_to="thumbs/%Y/%m/", max_length=200, blank=True)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    content_type = models.CharField(max_length=30)
    original_name = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "证件图片"
        ordering = ["slot", "row_id", "pk"]
        indexes = [models.Index(fields=["application", "slot", "row_id"])]


class ReviewAction(models.TextChoices):
    SUBMIT = "submit", "提交"
    WITHDRAW = "withdraw", "撤回"
    APPROVE = "approve", "同意"
    REJECT_PREVIOUS = "reject_previous", "不同意（退回上一环节）"
    REJECT_CANDIDATE = "reject_candidate", "不同意（退回考生）"
    RECALL = "recall", "撤办"
    FORWARD = "forward", "汇总提交"
    EDIT = "edit", "修改填报信息"
    REROUTE = "reroute", "调整审核机构"


class ReviewLog(models.Model):
    """审核日志: every act on an application, kept forever."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="review_logs")
    action = models.CharField(max_length=20, choices=ReviewAction.choices)
    stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    from_stage = models.CharField(max_length=20, blank=True)
    to_stage = models.CharField(max_length=20, blank=True)
    opinion = models.TextField("审核意见", blank=True)
    national_done = models.BooleanField("国网已操作", default=False)
    submission_round = models.PositiveIntegerField(default=0)
    details = models.JSONField(default=dict, blank=True)  # edits: {"field": [before, after]}
    batch = models.ForeignKey("ForwardBatch", null=True, blank=True, on_delete=models.PROTECT, related_name="logs")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "审核日志"
        ordering = ["created_at", "pk"]


class FieldCheck(models.Model):
    """与原件一致 是/否 for one 📷 field (or one row's images) at one stage and round."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="field_checks")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    submission_round = models.PositiveIntegerField()
    field = models.CharField(max_length=60)  # "id_card", "education:12", …
    consistent = models.BooleanField()
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "核对原件"
        constraints = [
            models.UniqueConstraint(
                fields=["application", "stage", "submission_round", "field"], name="one_check_per_field"
            )
        ]


class ForwardBatch(models.Model):
    """汇总提交: one recorded forwarding of an org's approved applications to the next stage."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField()
    by_specialty = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "汇总提交批次"


class DeletedImageFile(models.Model):
    """A stored file of a replaced or deleted image, kept until the retention has passed.

    A backup dumps the database first and copies the files after: a file removed while it copies
    would be missing from a backup whose rows still name it. `manage.py purge_deleted_images`
    removes the file once DELETED_IMAGE_RETENTION_HOURS (longer than the backup interval) are over.
    """

    name = models.CharField(max_length=200)
    deleted_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "待清除的图片文件"

    @classmethod
    def names_queued(cls, count: int) -> list[tuple[str, str]]:
        """`count` new (file, thumbnail) names for images about to be stored, already queued for the purge.

        The files are not the database's: a transaction that does not commit (a connection killed, a
        worker killed mid-request) would leave them named by no row, never purged. So their names are
        queued for the purge first, in a step of their own that commits, and the transaction that stores
        them takes them off the queue with the rows that name them (images.images_add, carryover.carry_over).
        Chosen over deleting them in an `except`: it also covers a killed worker, and a COMMIT whose answer
        was lost (the rows may exist) keeps its files, as deleted_images_purge never removes a file a row names.
        """
        fields = [ApplicationImage._meta.get_field(field) for field in ("file", "thumbnail")]
        names = [tuple(field.generate_filename(None, f"{stem}.jpg") for field in fields)
                 for stem in (uuid.uuid4().hex for _ in range(count))]
        with transaction.atomic():
            cls.objects.bulk_create([cls(name=name) for pair in names for name in pair])
        return names
