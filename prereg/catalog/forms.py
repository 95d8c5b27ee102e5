"""Forms of the years, dictionaries and notices pages (rules live in services.py)."""

from django import forms
from django.utils import timezone

from prereg.core.forms import LineField

from .importers import MAX_BYTES
from .models import PROJECT_WINDOW_FIELDS, Announcement, AnnouncementKind, ExamProject, ExamYear
from .services import WINDOW_FIELDS, check_windows

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The years a 考区 may open: each window of the N年度 falls in N−1 or N (services.window_range), so a year
# outside the dates the system takes anywhere (core.forms.FILTER_DATE_MIN..MAX) is a typo, and one beyond
# Python's dates (0, 99999) was a server error.
YEAR_MIN, YEAR_MAX = 2000, 2099
YEAR_MESSAGE = f"年度应为{YEAR_MIN}至{YEAR_MAX}之间的四位年份，例如2021。"
# A dictionary entry's 排序 (a PositiveIntegerField, at most 2147483647 on PostgreSQL, 2**63 − 1 on SQLite: a
# larger one was a server error). An import numbers its rows from 0 (at most importers.MAX_ROWS).
ORDER_MAX = 99999
ORDER_MESSAGE = f"排序应为0至{ORDER_MAX}之间的整数（数字小的排在前面）。"


class WindowsForm(forms.ModelForm):
    class Meta:
        model = ExamYear
        fields = ["name", *WINDOW_FIELDS]
        widgets = dict.fromkeys(WINDOW_FIELDS, DATE)
        field_classes = {"name": LineField}  # read as the candidate's text is (core.validators.clean_line)
        help_texts = {
            "cutoff_date": "学历、工作年限计算至该日（一般为考试年度前一年的12月31日）。",
            "unit_review_deadline": "选填：显示给单位审核人员。",
        }

    def clean(self):
        data = super().clean()
        for field, messages in check_windows(data).items():
            self.add_error(field, messages)
        return data


class YearOpenForm(WindowsForm):
    year = forms.IntegerField(label="年度", min_value=YEAR_MIN, max_value=YEAR_MAX,
                              error_messages=dict.fromkeys(("invalid", "min_value", "max_value"), YEAR_MESSAGE))
    confirm = forms.BooleanField(
        label="我已知晓：开启新年度后，除本人外所有审核账号的密码将被重置为一次性密码，"
              "审核人员首次登录须修改密码并重新完善个人信息。", required=True,
        error_messages={"required": "请阅读并勾选上面的确认后再开启新年度（必填）。"})

    class Meta(WindowsForm.Meta):
        fields = ["year", "name", *WINDOW_FIELDS]
        help_texts = {"name": "留空则为“××××年度”。", **WindowsForm.Meta.help_texts}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        if not self.is_bound:
            latest = ExamYear.objects.order_by("-year").first()
            self.initial.setdefault("year", (latest.year + 1) if latest else timezone.localdate().year + 1)

    def validate_unique(self):
        pass  # the service says "××××年度已存在" at the field


class ProjectForm(forms.Form):
    code = LineField(label="项目代码", max_length=20)
    name = LineField(label="考试项目", max_length=50)


class ProjectWindowsForm(forms.ModelForm):
    """A project's own dates; each blank one is the year's (shown as the placeholder)."""

    class Meta:
        model = ExamProject
        fields = ["name", *PROJECT_WINDOW_FIELDS]
        widgets = dict.fromkeys(PROJECT_WINDOW_FIELDS, DATE)
        field_classes = {"name": LineField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        year = self.instance.exam_year
        for field in PROJECT_WINDOW_FIELDS:
            value = getattr(year, field)
            self.fields[field].help_text = (f"留空则按年度：{value:%Y-%m-%d}" if value else "留空则按年度（年度未设置）")


class ImportForm(forms.Form):
    file = forms.FileField(label="字典文件（.xlsx 或 .csv）")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(f"文件过大（不超过{MAX_BYTES // (1024 * 1024)}MB）。")
        return upload


class EntryForm(forms.Form):
    name = LineField(label="名称", max_length=60)
    code = LineField(label="代码", max_length=20, required=False)
    order = forms.IntegerField(label="排序", min_value=0, max_value=ORDER_MAX, initial=0,
                               error_messages=dict.fromkeys(("invalid", "min_value", "max_value"), ORDER_MESSAGE))
    enabled = forms.BooleanField(label="启用", required=False)


# 对象 as the reviewer manual (八) offers it; the model's labels (考生, 审核人员) name the audience in lists.
AUDIENCE_CHOICES = [(Announcement.Audience.ALL, "考生及审核人员"), (Announcement.Audience.CANDIDATES, "仅考生"),
                    (Announcement.Audience.REVIEWERS, "仅审核人员")]


class AnnouncementForm(forms.ModelForm):
    class Meta:
        model = Announcement
        fields = ["title", "kind", "audience", "exam_year", "pinned", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}
        help_texts = {"body": "支持简单格式：以“## ”开头为小标题，“- ”开头为列表，**文字** 为加粗。"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = AnnouncementKind.choices
        self.fields["audience"].choices = AUDIENCE_CHOICES
        self.fields["exam_year"].required = False
