"""Dictionaries: fixed national ones (ethnic groups, divisions) and per exam year ones.

The exam catalogue changes every year, so levels, qualifications, practice categories and
scopes, specialties and the small lists belong to an ExamYear; an application keeps the
entries it chose, so last year's applications keep last year's values.
"""

from django.db import models
from django.utils import timezone


class Ethnicity(models.Model):
    code = models.CharField(max_length=2, unique=True)
    name = models.CharField(max_length=20)

    class Meta:
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
        ordering = ["code"]

    def __str__(self):
        return self.name


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
    is_current = models.BooleanField("当前年度", default=False)

    class Meta:
        ordering = ["-year"]

    def __str__(self):
        return self.name

    @classmethod
    def current(cls):
        return cls.objects.filter(is_current=True).first()

    def form_is_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.form_opens <= today <= self.form_closes


class ExamProject(models.Model):
    exam_year = models.ForeignKey(ExamYear, on_delete=models.CASCADE, related_name="projects")
    code = models.CharField(max_length=20)
    name = models.CharField("考试项目", max_length=50)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["exam_year", "code"], name="project_code_per_year")]

    def __str__(self):
        return self.name


class YearEntry(models.Model):
    exam_year = models.ForeignKey(ExamYear, on_delete=models.CASCADE, related_name="+")
    code = models.CharField("代码", max_length=20, blank=True)
    name = models.CharField("名称", max_length=60)
    order = models.PositiveIntegerField(default=0)
    enabled = models.BooleanField(default=True)

    class Meta:
        abstract = True
        ordering = ["order", "code", "name"]

    def __str__(self):
        return self.name


class ExamLevel(YearEntry):
    """报考级别: 初级(士), 初级(师), 中级, 副高级, 正高级."""


class Qualification(YearEntry):
    """拟申报资格 (护师, 主治医师…) within a level; `series` is 护理/药学/技术/医疗…"""

    level = models.ForeignKey(ExamLevel, on_delete=models.CASCADE, related_name="qualifications")
    series = models.CharField(max_length=20, blank=True)


class PracticeCategory(YearEntry):
    """执业类别 (临床, 口腔, 公共卫生, 中医, 护理, 药学, 技术…) and which qualifications use it."""

    qualifications = models.ManyToManyField(Qualification, related_name="categories")
    # A 护理 category has no 执业注册范围 catalogue: the form skips the scope select.
    has_scopes = models.BooleanField(default=True)


class PracticeScope(YearEntry):
    category = models.ForeignKey(PracticeCategory, on_delete=models.CASCADE, related_name="scopes")


class Specialty(YearEntry):
    """申报专业 with its exam code; to be checked against the year's official catalogue."""

    qualification = models.ForeignKey(Qualification, on_delete=models.CASCADE, related_name="specialties")
    category = models.ForeignKey(
        PracticeCategory, null=True, blank=True, on_delete=models.SET_NULL, related_name="specialties"
    )
    verified = models.BooleanField("已核对官方目录", default=False)


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
