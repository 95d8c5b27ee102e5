"""The application filter of the back-office lists: 待审信息, 已审信息, 考生信息导出.

One form for all of them, one field per parameter of the one selector
(prereg.applications.selectors.applications_for), which gives each its meaning. A list links to
its export with its own query string, so the export reads exactly the list's rows. A filter is
stored on an ExportJob as plain JSON (`as_json`) and the worker hands it to the same selector;
it only ever narrows `Application.objects.visible_to(user)`, never widens it.
"""

import datetime
from urllib.parse import urlencode

from django import forms
from django.urls import reverse

from prereg.applications.models import Stage, State, Verdict
from prereg.applications.selectors import SORT_CHOICES
from prereg.catalog.models import ExamLevel, ExamProject, ExamYear, Specialty
from prereg.core.forms import FilterDateField
from prereg.core.validators import is_id
from prereg.orgs.models import Org

SEARCH_FIELD = "org_q"


class OrgPicker(forms.Widget):
    """An org chosen by searching its name (htmx), not from a <select>: the 考区's subtree holds
    thousands of units. Renders the id as a hidden input beside the search box; the box shows the
    chosen org's name, or what was typed when the form comes back with an error."""

    template_name = "backoffice/widgets/org_picker.html"
    orgs = Org.objects.none()
    typed = None

    def value_from_datadict(self, data, files, name):
        self.typed = data.get(SEARCH_FIELD)
        return data.get(name)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        text = self.typed
        if text is None and is_id(str(value or "")):
            text = self.orgs.filter(pk=value).values_list("name", flat=True).first()
        context["widget"].update(search_name=SEARCH_FIELD, search_url=reverse("backoffice:org_search"),
                                 text=text or "")
        return context


class SpecialtyChoiceField(forms.ModelChoiceField):
    """A 申报专业 offered with its 拟申报资格: a name both catalogues hold (内科护理 of 主管护师 and of
    副主任护师) would otherwise be offered twice alike."""

    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.qualification.name}）"


def _specialties(**where):
    return Specialty.objects.filter(**where).select_related("qualification").order_by("name", "qualification__name")


class ApplicationFilterForm(forms.Form):
    year = forms.ModelChoiceField(ExamYear.objects.all(), label="年度", required=False, empty_label="全部年度")
    # The current year's dictionaries; another year's when the filter names one.
    project = forms.ModelChoiceField(ExamProject.objects.filter(exam_year__is_current=True), label="考试项目",
                                     required=False, empty_label="全部")
    level = forms.ModelChoiceField(ExamLevel.objects.filter(exam_year__is_current=True), label="报考级别",
                                   required=False, empty_label="全部")
    specialty = SpecialtyChoiceField(_specialties(exam_year__is_current=True), label="申报专业", required=False,
                                     empty_label="全部")
    unit = forms.ModelChoiceField(Org.objects.none(), label="单位（含下级）", required=False, widget=OrgPicker,
                                  error_messages={"invalid_choice": "所选单位不在您的管辖范围内。"})
    # Reviewers see a 草稿 only once it was submitted and then withdrawn (Application.objects.visible_to):
    # named so, or the choice reads as the never-submitted drafts no reviewer sees (reviewer-flow probe 14).
    state = forms.ChoiceField(label="状态", required=False, choices=[
        ("", "全部"), *((value, "已撤回（草稿）" if value == State.DRAFT else label) for value, label in State.choices)])
    stage = forms.ChoiceField(label="审核环节", required=False, choices=[("", "全部"), *Stage.choices])
    verdict = forms.ChoiceField(label="资格初审", required=False, choices=[("", "全部"), *Verdict.choices])
    submitted_from = FilterDateField(label="提交日期从")
    submitted_to = FilterDateField(label="提交日期至")
    q = forms.CharField(label="姓名/证件号/报名号", required=False, max_length=50,
                        help_text="姓名含所填文字，或证件编号、报名号与所填完全一致。")
    waiting = forms.BooleanField(label="仅待本机构审核的（待审信息）", required=False)
    decided = forms.BooleanField(label="仅本机构办理过的（已审信息）", required=False)
    ids = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20000)
    # The order of the list a filter came from (导出本列表 writes the rows in the order they were shown).
    sort = forms.ChoiceField(label="排序", required=False, choices=[("", "默认"), *SORT_CHOICES],
                             widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        year = str(self.data.get("year") or "")
        # A year that exists (a number beyond any id would overflow the dictionaries' queries).
        if "year" in self.fields and is_id(year) and (year := ExamYear.objects.filter(pk=year).first()):
            self.fields["project"].queryset = ExamProject.objects.filter(exam_year=year)
            self.fields["level"].queryset = ExamLevel.objects.filter(exam_year=year)
            self.fields["specialty"].queryset = _specialties(exam_year=year)
        if self.data.get("unit") or self.initial.get("unit"):
            # Checked against (and named from) his subtree only when given: building that query
            # costs the queue a tenth of its filter (bench key queue_page_ratio).
            self.fields["unit"].queryset = self.fields["unit"].widget.orgs = Org.objects.visible_to(user)
        if not user.org_id:  # no org, no lists of its own
            for name in ("waiting", "decided"):
                self.fields.pop(name, None)

    def clean_ids(self):
        parts = [part for part in (self.cleaned_data.get("ids") or "").replace(" ", "").split(",") if part]
        # Ids a row can have (a longer number overflows the export's query: the job would fail).
        if not all(is_id(part) for part in parts):
            raise forms.ValidationError("选择的报名信息有误，请回到列表重新勾选。")
        return sorted({int(part) for part in parts})

    def clean(self):
        data = super().clean()
        if "ids" in self.errors:  # a hidden field: its message is said above the filter
            self.add_error(None, self.errors["ids"])
        start, end = data.get("submitted_from"), data.get("submitted_to")
        if start and end and start > end:
            self.add_error("submitted_to", "结束日期不能早于开始日期。")
        typed = (self.data.get(SEARCH_FIELD) or "").strip()
        if typed and not data.get("unit") and "unit" not in self.errors:
            self.add_error("unit", "请在搜索结果中点击选择单位，或清空此项（全部单位）。")
        return data

    def as_json(self) -> dict:
        """The cleaned filter as plain JSON values (ids, strings, ISO dates); empty ones left out,
        and so are fields with an error (a list shows the rest of its filter)."""
        self.is_valid()
        out = {}
        for name, value in self.cleaned_data.items():
            if value in (None, "", [], False):
                continue
            if hasattr(value, "pk"):
                value = value.pk
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            out[name] = value
        return out


class ListFilterForm(ApplicationFilterForm):
    """The filter bar of 待审信息 and 已审信息: the same fields and meanings, less the year, the
    stage, the selection and the lists' own flags (the page sets its flag)."""

    year = stage = waiting = decided = ids = None


def query_string(filters: dict) -> str:
    """A filter (as_json's values) as the query string that binds ApplicationFilterForm to it again:
    a list links to its export with the very filter it applied."""
    return urlencode({name: "on" if value is True else ",".join(map(str, value)) if isinstance(value, list)
                      else value for name, value in filters.items()})


def describe(filters: dict) -> str:
    """A short Chinese description of a stored filter, for the exports list: each value named as
    its field offers it."""
    parts = []
    for name, value in (filters or {}).items():
        field = ApplicationFilterForm.base_fields.get(name)
        if name == "ids":
            parts.append(f"选定{len(value)}条")
        elif name == "waiting":
            parts.append("待本机构审核")
        elif name == "decided":
            parts.append("本机构办理过")
        elif isinstance(field, forms.ModelChoiceField):
            parts.append(f"{field.label}：{field.queryset.model.objects.filter(pk=value).first() or value}")
        elif isinstance(field, forms.ChoiceField):
            parts.append(f"{field.label}：{dict(field.choices)[value]}")
        else:
            parts.append(f"{field.label if field else name}：{value}")
    return "；".join(parts) or "全部"
