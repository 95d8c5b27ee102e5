"""Dictionaries: fixed national ones (ethnic groups, divisions) and per exam year ones.

The exam catalogue changes every year, so levels, qualifications, practice categories and
scopes, specialties and the small lists belong to an ExamYear; an application keeps the
entries it chose, so last year's applications keep last year's values.
"""

import datetime
import functools
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone

from prereg.orgs.stages import Stage

from .timeline import day_text

# The windows a project may set for itself; a blank one is the year's. The cutoff date for
# counting years of education and work stays the year's: it is one rule for every project.
PROJECT_WINDOW_FIELDS = ["form_opens", "form_closes", "national_opens", "national_closes", "confirm_deadline",
                         "unit_review_deadline", "point_review_deadline", "site_review_deadline",
                         "district_review_deadline"]


@dataclass(frozen=True)
class Windows:
    """The windows in force for one exam project of a year (or for the year itself).

    `name` is what the candidate reads in a message: "2020年度" or "2020年度·高级卫生专业技术资格考试"
    when the project has windows of its own.
    """

    name: str
    form_opens: datetime.date
    form_closes: datetime.date
    national_opens: datetime.date
    national_closes: datetime.date
    confirm_deadline: datetime.date
    unit_review_deadline: datetime.date | None
    point_review_deadline: datetime.date | None
    site_review_deadline: datetime.date | None
    district_review_deadline: datetime.date | None
    own: bool  # the project overrides at least one of the year's dates

    def form_is_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.form_opens <= today <= self.form_closes

    def form_closed_message(self) -> str:
        """The refusal of a submission outside the window, with the dates."""
        return (f"{self.name}省网填报时间为{day_text(self.form_opens)}至{day_text(self.form_closes)}，"
                "当前不在填报时间内，无法提交。")


class Ethnicity(models.Model):
    code = models.CharField(max_length=2, unique=True)
    name = models.CharField(max_length=20)

    class Meta:
        verbose_name = verbose_name_plural = "民族"
        ordering = ["code"]

    def __str__(self):
        return self.name


class Division(models.Model):
    code = models.CharField(max_length=6, unique=True)
    name = models.CharField(max_length=40)
    level = models.CharField(max_length=10)  # province / city / county
    parent_code = models.CharField(max_length=6, blank=True)
    current = models.BooleanField(default=True)

    class Meta:
        verbose_name = verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self):
        return self.name

    @classmethod
    def names_of(cls, codes) -> dict[str, str]:
        """Each known code's name as people say it: a county with its city (福州市连江县), a city or
        the province alone."""
        found = {d.code: d for d in cls.objects.filter(code__in=set(codes))}
        parents = dict(cls.objects.filter(code__in={d.parent_code for d in found.values() if d.level == "county"})
                       .values_list("code", "name"))
        return {code: parents.get(d.parent_code, "") + d.name if d.level == "county" else d.name
                for code, d in found.items()}


class ExamYear(models.Model):
    """An exam year (年度) and its windows; dates are local (Asia/Shanghai) calendar dates."""

    year = models.PositiveIntegerField("年度", unique=True)
    name = models.CharField("名称", max_length=30)  # 2020年度
    form_opens = models.DateField("省网填报开始")
    form_closes = models.DateField("省网填报截止")
    national_opens = models.DateField("国网报名开始")
    national_closes = models.DateField("国网报名截止")
    confirm_deadline = models.DateField("现场确认截止")
    # Education and work years count up to 31 December of the year before the exam year.
    cutoff_date = models.DateField("资格计算截止日期")
    # Optional per-stage review deadlines, shown to the reviewers of that stage.
    unit_review_deadline = models.DateField("单位审查截止", null=True, blank=True)
    point_review_deadline = models.DateField("报名点确认截止", null=True, blank=True)
    site_review_deadline = models.DateField("考点审核截止", null=True, blank=True)
    district_review_deadline = models.DateField("考区复核截止", null=True, blank=True)
    is_current = models.BooleanField("当前年度", default=False)
    opened_at = models.DateTimeField("开启时间", null=True, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)  # core.versions.check_version

    class Meta:
        verbose_name = verbose_name_plural = "年度"
        ordering = ["-year"]

    def __str__(self):
        return self.name

    @classmethod
    def current(cls):
        return cls.objects.filter(is_current=True).first()

    @functools.cached_property
    def project_list(self) -> list:
        """The year's 考试项目, read once per instance: the form and its completeness check share it."""
        return list(self.projects.all())

    def windows(self, project=None) -> Windows:
        """The dates in force for `project` (one of this year's; None: the year's own)."""
        own = {}
        if project is not None and project.exam_year_id == self.pk:
            own = {field: value for field in PROJECT_WINDOW_FIELDS if (value := getattr(project, field)) is not None}
        values = {field: getattr(self, field) for field in PROJECT_WINDOW_FIELDS} | own
        return Windows(name=f"{self.name}·{project.name}" if own else self.name, own=bool(own), **values)

    def form_is_open(self, today=None, project=None) -> bool:
        return self.windows(project).form_is_open(today)

    STAGE_DEADLINE_FIELDS = {
        Stage.UNIT_REVIEW: "unit_review_deadline",
        Stage.POINT_CONFIRM: "point_review_deadline",
        Stage.SITE_REVIEW: "site_review_deadline",
        Stage.DISTRICT_RECHECK: "district_review_deadline",
    }


class ExamProject(models.Model):
    """考试项目 of a year; its dates, when set, override the year's (blank = the year's)."""

    exam_year = models.ForeignKey(ExamYear, on_delete=models.CASCADE, related_name="projects")
    code = models.CharField("项目代码", max_length=20)
    name = models.CharField("考试项目", max_length=50)
    order = models.PositiveIntegerField("排序", default=0)
    form_opens = models.DateField("省网填报开始", null=True, blank=True)
    form_closes = models.DateField("省网填报截止", null=True, blank=True)
    national_opens = models.DateField("国网报名开始", null=True, blank=True)
    national_closes = models.DateField("国网报名截止", null=True, blank=True)
    confirm_deadline = models.DateField("现场确认截止", null=True, blank=True)
    unit_review_deadline = models.DateField("单位审查截止", null=True, blank=True)
    point_review_deadline = models.DateField("报名点确认截止", null=True, blank=True)
    site_review_deadline = models.DateField("考点审核截止", null=True, blank=True)
    district_review_deadline = models.DateField("考区复核截止", null=True, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)  # core.versions.check_version

    class Meta:
        verbose_name = verbose_name_plural = "考试项目"
        ordering = ["order", "code"]
        constraints = [models.UniqueConstraint(fields=["exam_year", "code"], name="project_code_per_year")]

    def __str__(self):
        return self.name

    def windows(self) -> Windows:
        return self.exam_year.windows(self)


class YearEntry(models.Model):
    exam_year = models.ForeignKey(ExamYear, on_delete=models.CASCADE, related_name="+")
    code = models.CharField("代码", max_length=20, blank=True)
    name = models.CharField("名称", max_length=60)
    order = models.PositiveIntegerField(default=0)
    enabled = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=0, editable=False)  # core.versions.check_version

    class Meta:
        abstract = True
        ordering = ["order", "code", "name"]

    def __str__(self):
        return self.name


class ExamLevel(YearEntry):
    """报考级别: 初级(士), 初级(师), 中级 of the 初中级 exam; 副高级/正高级 where a year holds a 高级 project.

    A level tied to a project is offered only to the candidates of that project; a level tied to
    none (the shipped catalogue's, a year of one project) to every project of its year.
    """

    project = models.ForeignKey(ExamProject, verbose_name="考试项目", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="levels")

    class Meta(YearEntry.Meta):
        verbose_name = verbose_name_plural = "报考级别"

    @staticmethod
    def offered_under(project) -> models.Q:
        """The condition of the levels a candidate of `project` may choose."""
        return models.Q(project=None) | models.Q(project=project)


class Qualification(YearEntry):
    """拟申报资格 (护师, 主治医师…) within a level; `series` is 护理/药学/技术/医疗…"""

    level = models.ForeignKey(ExamLevel, on_delete=models.CASCADE, related_name="qualifications")
    series = models.CharField(max_length=20, blank=True)

    class Meta(YearEntry.Meta):
        verbose_name = verbose_name_plural = "拟申报资格"


class PracticeCategory(YearEntry):
    """执业类别 (临床, 口腔, 公共卫生, 中医, 护理, 药学, 技术…) and which qualifications use it."""

    qualifications = models.ManyToManyField(Qualification, related_name="categories")
    # A 护理 category has no 执业注册范围 catalogue: the form skips the scope select.
    has_scopes = models.BooleanField(default=True)

    class Meta(YearEntry.Meta):
        verbose_name = verbose_name_plural = "执业类别"


class PracticeScope(YearEntry):
    category = models.ForeignKey(PracticeCategory, on_delete=models.CASCADE, related_name="scopes")

    class Meta(YearEntry.Meta):
        verbose_name = verbose_name_plural = "执业注册范围"


class Specialty(YearEntry):
    """申报专业 with its exam code; to be checked against the year's official catalogue.

    It is open to one 执业类别 and, within it, to `scopes` (执业注册范围); no scopes: every scope of
    its category. The candidate's cascade offers it only under those. A retired code stays as a
    disabled entry, so old applications keep it and nobody can choose it.
    """

    qualification = models.ForeignKey(Qualification, on_delete=models.CASCADE, related_name="specialties")
    category = models.ForeignKey(
        PracticeCategory, null=True, blank=True, on_delete=models.SET_NULL, related_name="specialties"
    )
    scopes = models.ManyToManyField(PracticeScope, blank=True, related_name="specialties",
                                    verbose_name="适用执业注册范围")
    verified = models.BooleanField("已核对官方目录", default=False)

    class Meta(YearEntry.Meta):
        verbose_name = verbose_name_plural = "申报专业"


class DictKind(models.TextChoices):
    EDUCATION = "education", "学历"
    DEGREE = "degree", "学位"
    STUDY_FORM = "study_form", "学习形式"
    OTHER_MATERIAL = "other_material", "其他材料类别"
    PRACTICE_CHANGE = "practice_change", "执业变更情况"
    TITLE = "title", "专业技术职务"


class DictEntry(YearEntry):
    """The small lists of the form, per year."""

    kind = models.CharField(max_length=20, choices=DictKind.choices)

    class Meta(YearEntry.Meta):
        verbose_name = verbose_name_plural = "其他字典条目"


class AnnouncementKind(models.TextChoices):
    NOTICE = "notice", "通知公告"
    MANUAL = "manual", "操作手册"


class Announcement(models.Model):
    """通知公告: written by the 考区, shown to candidates (and reviewers) once published."""

    class Audience(models.TextChoices):
        ALL = "all", "考生及审核人员"
        CANDIDATES = "candidates", "考生"
        REVIEWERS = "reviewers", "审核人员"

    exam_year = models.ForeignKey(ExamYear, verbose_name="年度", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="announcements")
    kind = models.CharField("类型", max_length=10, choices=AnnouncementKind.choices, default=AnnouncementKind.NOTICE)
    audience = models.CharField("对象", max_length=12, choices=Audience.choices, default=Audience.ALL)
    title = models.CharField("标题", max_length=100)
    # A small Markdown subset (headings, lists, paragraphs, **bold**), rendered escaped.
    body = models.TextField("正文")
    pinned = models.BooleanField("置顶", default=False)
    published_at = models.DateTimeField("发布时间", null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=0, editable=False)  # core.versions.check_version

    class Meta:
        verbose_name = "通知公告"
        ordering = ["-pinned", "-published_at", "-pk"]

    def __str__(self):
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class PasswordSheet(models.Model):
    """The new one-time passwords of a year's accounts, for the admins of one org to read once.

    Held by the org above the accounts (the root org holds its own): the 考区 hands the 考点
    theirs, the 考点 the 报名点, and so on. `ciphertext` is encrypted with a key derived from
    SECRET_KEY and is wiped at the first reading.
    """

    exam_year = models.ForeignKey(ExamYear, on_delete=models.CASCADE, related_name="password_sheets")
    holder = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="+")
    count = models.PositiveIntegerField(default=0)
    ciphertext = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revealed_at = models.DateTimeField(null=True, blank=True)
    revealed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "账号密码单"
        constraints = [models.UniqueConstraint(fields=["exam_year", "holder"], name="one_sheet_per_org_year")]


class EligibilityRule(models.Model):
    """One row of a year's 报名条件 table (资格规则): the data prereg.applications.eligibility applies.

    Shipped from data/eligibility_rules.csv for the year's regime; the 考区 replaces a year's table by
    import. Columns and their values: see that file's header."""

    class Kind(models.TextChoices):
        ROUTE = "route", "报考条件"
        ADVANCE = "advance", "提前申报"
        POST_CHANGE = "post_change", "转岗"

    exam_year = models.ForeignKey(ExamYear, on_delete=models.CASCADE, related_name="eligibility_rules")
    order = models.PositiveIntegerField(default=0)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    regime = models.CharField("规则依据", max_length=10)
    qualification = models.CharField("拟申报资格", max_length=100)
    category = models.CharField("执业类别", max_length=100, blank=True)
    education = models.CharField("学历", max_length=10, blank=True)
    min_years = models.PositiveSmallIntegerField("年限")
    counted_from = models.CharField("起算", max_length=40, blank=True)
    requires = models.CharField("附加条件", max_length=40, blank=True)
    specialties = models.CharField("限申报专业", max_length=200, blank=True)
    requires_title = models.CharField("须具备现有资格", max_length=100, blank=True)
    confirmed = models.BooleanField("已确认", default=True)
    source = models.CharField("来源", max_length=100, blank=True)
    note = models.CharField("说明", max_length=300)

    class Meta:
        verbose_name = "资格规则"
        ordering = ["exam_year", "order", "pk"]

    # The columns of the table, in the order of the shipped file and of an import or export.
    COLUMNS = ["kind", "regime", "qualification", "category", "education", "min_years", "counted_from", "requires",
               "specialties", "requires_title", "confirmed", "source", "note"]

    def as_row(self) -> dict:
        return {column: getattr(self, column) for column in self.COLUMNS}
