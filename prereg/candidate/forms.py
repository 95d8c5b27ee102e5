"""The candidate's forms: sign-up and one form (or formset) per section of the manual."""

import datetime
import functools

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, Q
from django.forms.renderers import Jinja2

from prereg.accounts.backends import PHONE_TAKEN_MESSAGE, phone_taken
from prereg.accounts.models import IdType
from prereg.applications import values
from prereg.applications.models import (
    Application,
    AppointmentRow,
    EducationRow,
    Gender,
    OtherRow,
    TrainingRow,
    WorkRow,
)
from prereg.applications.sections import BY_KEY
from prereg.catalog.models import (
    DictEntry,
    DictKind,
    Division,
    Ethnicity,
    ExamLevel,
    ExamProject,
    PracticeCategory,
    PracticeScope,
    Qualification,
    Specialty,
)
from prereg.core.validators import (
    MOBILE_RE,
    clean_person_name,
    clean_text,
    halfwidth,
    is_id,
    normalize_mobile,
    validate_mobile,
    validate_not_future,
)
from prereg.notify.sms import verify_code
from prereg.orgs.models import Org

# Django's own widget templates in their Jinja2 version (Django's documented switch; one instance,
# which keeps the compiled templates). The form page draws ~450 inputs and options: through the
# Django template engine they took ≈ 10 ms more of its CPU (bench key form_page_ms, goal ≤ 60).
widget_renderer = Jinja2()


class TextField(forms.CharField):
    """One line of text as the candidate types or pastes it (core.validators.clean_text): without the
    zero-width and direction characters a web page or a chat brings along, a tab or a line break as a
    space, a control character refused at the field; text of those alone is blank, so a required field
    asks for it (Django strips only ordinary spaces: an address of a zero-width space was saved)."""

    def to_python(self, value):
        return clean_text(super().to_python(value))


def text_formfield(db_field, **kwargs):
    """A ModelForm's field for a model's column (Meta.formfield_callback of every candidate form): a text
    column is a TextField, unless the form names another class (Meta.field_classes)."""
    if isinstance(db_field, models.CharField) and not db_field.choices:
        kwargs.setdefault("form_class", TextField)
    return db_field.formfield(**kwargs)


class DateField(forms.DateField):
    """A whole date (a passport holder's 出生日期), typed in full-width digits too (全角 mode)."""

    def to_python(self, value):
        return super().to_python(halfwidth(value) if isinstance(value, str) else value)


class MonthField(forms.DateField):
    """A year-month (取得时间 2015-11), stored as the first of the month, never in the future."""

    widget = forms.DateInput(attrs={"type": "month", "placeholder": "YYYY-MM"}, format="%Y-%m")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value.replace(day=1)
        return values.clean_month(value)


class MobileField(TextField):
    """A mobile number as it is stored: without spaces, dashes or +86."""

    def clean(self, value):
        phone = normalize_mobile(super().clean(value))
        validate_mobile(phone)
        return phone


def _required(field):
    verb = "请选择" if isinstance(field, forms.ChoiceField | forms.ModelChoiceField) else "请填写"
    field.error_messages["required"] = f"{verb}“{field.label}”。"
    return field


def _require_all(form):
    for field in form.fields.values():
        if field.required:
            _required(field)


def _passed(form, *names) -> bool:
    """Whether each field of `names` passed its own checks (called in a form's clean()). A message that
    weighs one field against another is said only when they did: a field that failed is missing from
    cleaned_data, and read as blank it drew a second, wrong message (2016-13 was told 请填写 as if left
    empty, a 现有资格 not in the list 为“无”时不填)."""
    return not any(name in form.errors for name in names)


class YearDicts:
    """Every enabled dictionary entry of a year, fetched in one query on first use; share one per request."""

    def __init__(self, year):
        self.year, self._names = year, None

    def names(self, kind):
        if self._names is None:
            self._names = {}
            for k, name in DictEntry.objects.filter(exam_year=self.year, enabled=True).values_list("kind", "name"):
                self._names.setdefault(k, []).append(name)
        return self._names.get(kind, [])

    def choices(self, kind, blank="请选择"):
        """The entries of `kind` after the empty choice labelled `blank`; an entry of that name (执业变更情况's
        无) stands for it, shown once (an optional field takes the empty value too)."""
        names = self.names(kind)
        return ([] if blank in names else [("", blank)]) + [(n, n) for n in names]

    def version(self):
        """A key that changes whenever the year's dictionary does (for caching what is rendered from it)."""
        self.names("")
        return hash(tuple((k, tuple(v)) for k, v in sorted(self._names.items())))


# --- Sign-up ---------------------------------------------------------------------------------

class SignupForm(forms.Form):
    name = TextField(label="姓名", max_length=50)
    id_type = forms.ChoiceField(label="证件类型", choices=IdType.choices, initial=IdType.RESIDENT)
    id_number = TextField(label="证件编号", max_length=30,
                          help_text="身份证号码即登录账号；出生日期和性别将从号码中读取。")
    phone = MobileField(label="手机号码", max_length=20, widget=forms.TextInput(attrs={"type": "tel",
                                                                                   "inputmode": "numeric"}))
    sms_code = TextField(label="短信验证码", max_length=6,
                         widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))
    password1 = forms.CharField(label="密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text="至少8位，包含字母、数字和符号中的至少三类。")
    password2 = forms.CharField(label="确认密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _require_all(self)
        self.duplicate = False

    def clean_name(self):
        return clean_person_name(self.cleaned_data["name"])

    def clean_id_number(self):
        id_type = self.cleaned_data.get("id_type", IdType.RESIDENT)
        number = values.clean_id_number(self.cleaned_data["id_number"], id_type)
        if not values.is_resident_id(id_type) and MOBILE_RE.fullmatch(normalize_mobile(number)):
            # No passport or permit number is shaped like a mobile number (reference/id_rules.md §4);
            # as a login name it would shadow the account whose phone it is (find_account).
            raise ValidationError("证件编号不能是手机号码，请填写证件上的编号。")
        # Whether the number is taken is said only once the phone's code is verified (the sign-up
        # service): before that, the page would tell anyone who has an account (issue 16).
        return number

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "两次输入的密码不一致。")
        elif p1 and data.get("id_number"):
            User = get_user_model()
            probe = User(username=data["id_number"], id_number=data["id_number"], name=data.get("name", ""),
                         phone=data.get("phone", ""))
            try:
                validate_password(p1, probe)
            except ValidationError as error:
                self.add_error("password1", error)
        return data


class SendCodeForm(forms.Form):
    phone = MobileField(label="手机号码", max_length=20)


# --- 基本信息 --------------------------------------------------------------------------------

PHONE_CHANGE_PURPOSE = "phone_change"  # SmsCode.purpose of the code that confirms a new number

class BasicForm(forms.ModelForm):
    default_renderer = widget_renderer

    unit = forms.ModelChoiceField(label="单位名称", queryset=Org.objects.filter(is_unit=True, enabled=True),
                                  widget=forms.HiddenInput, error_messages={
                                      "required": "请搜索并选择单位名称。",
                                      "invalid_choice": "请从单位字典中选择单位。"})
    sms_code = TextField(label="短信验证码", max_length=6, required=False,
                         help_text="修改手机号码时，点击“获取验证码”，填写新号码收到的6位验证码。",
                         widget=forms.TextInput(attrs={"inputmode": "numeric"}))

    class Meta:
        model = Application
        fields = ["name", "gender", "birth_date", "ethnicity", "unit", "postcode", "phone", "address"]
        formfield_callback = text_formfield
        field_classes = {"phone": MobileField, "birth_date": DateField}
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "inputmode": "numeric"}),
                   "postcode": forms.TextInput(attrs={"inputmode": "numeric"}),
                   "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   # Up to 200 characters, read back whole on a phone (a one-line box there shows ~15). Still one
                   # line of text: a line break is stored as a space (TextField), and Enter adds none (candidate.js).
                   "address": forms.Textarea(attrs={"rows": 3, "data-one-line": True})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.has_resident_id:
            # Read from the ID number (Application.derive_from_id_number), shown, never typed.
            del self.fields["gender"], self.fields["birth_date"]
        else:
            self.fields["birth_date"].validators.append(validate_not_future)
            self.fields["gender"].choices = [("", "请选择"), *Gender.choices]
        for name in self.fields.keys() - {"unit", "sms_code"}:  # the unit's message is its own
            self.fields[name].required = True
            _required(self.fields[name])
        self.fields["ethnicity"].queryset = Ethnicity.objects.all()
        self.fields["ethnicity"].empty_label = "请选择"
        self.phone_changed = False

    def clean_name(self):
        return clean_person_name(self.cleaned_data["name"])

    def clean_postcode(self):
        return values.clean_postcode(self.cleaned_data["postcode"])

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        self.phone_changed = phone != (self.instance.phone or "")
        return phone

    def clean(self):
        data = super().clean()
        if self.phone_changed and _passed(self, "phone", "sms_code"):
            code = data.get("sms_code", "")
            if not code:
                self.add_error("sms_code", "手机号码已修改，请获取并填写短信验证码。")
            elif not self.errors:
                # Checked, and so spent, only once the rest is valid: a slip in another field
                # must not cost the candidate the code (it stays in the box for the next try).
                try:
                    verify_code(data["phone"], PHONE_CHANGE_PURPOSE, code)
                except ValidationError as error:
                    self.add_error("sms_code", error)
                else:
                    # Asked only of whoever holds the number's code (获取验证码 asks it first, under
                    # the account's limit): a save must not tell anyone whose a number is.
                    if phone_taken(data["phone"], by_other_than=self.instance.candidate):
                        self.add_error("phone", PHONE_TAKEN_MESSAGE)
        return data


# --- Rows ------------------------------------------------------------------------------------

class RowBoundField(forms.BoundField):
    """A row's field: a formset draws its forms without `required` (Django: an extra row left blank must not block
    the submit), yet includes/field.html marks a required one with the red *; aria-required says so to a screen
    reader too."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.field.required and not attrs.get("required"):
            attrs["aria-required"] = "true"
        return attrs


class RowForm(forms.ModelForm):
    """A table row: every date a month, not in the future, and an end after its start; `table`
    (sections.RowTable) says at 结束时间 that a row still running leaves it empty."""
    default_renderer = widget_renderer
    bound_field_class = RowBoundField

    date_fields = ()

    def __init__(self, *args, dicts, table=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.dicts = dicts
        for name in self.date_fields:
            field = self.fields[name]
            self.fields[name] = MonthField(label=field.label, required=field.required)
        if table is not None and "end" in self.fields:
            self.fields["end"].help_text = table.end_help
        _require_all(self)

    def clean(self):
        data = super().clean()
        dates = {name: data.get(name) for name in ("start", "end", "issued") if name in self.fields}
        for name, message in values.row_date_errors(**dates).items():
            self.add_error(name, message)
        return data


class WorkForm(RowForm):
    """A 工作经历 row; `birth_date` (the application's) bounds its 开始时间 from below (the minimum working age)."""

    date_fields = ("start", "end")

    class Meta:
        model = WorkRow
        fields = BY_KEY["work"].columns
        formfield_callback = text_formfield

    def __init__(self, *args, birth_date=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.birth_date = birth_date

    def clean_start(self):
        start = self.cleaned_data["start"]
        if message := values.work_start_error(start, self.birth_date):
            raise ValidationError(message, code="before_working_age")
        return start


class EducationForm(RowForm):
    """A 学历 or 学位 row; `birth_date` (the application's, read from the ID number or typed for
    other documents) bounds its 取得时间 from below."""

    date_fields = ("obtained",)

    class Meta:
        model = EducationRow
        fields = BY_KEY["education"].columns
        formfield_callback = text_formfield

    def __init__(self, *args, kind=EducationRow.Kind.EDUCATION, birth_date=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.birth_date = birth_date
        label = "学历" if kind == EducationRow.Kind.EDUCATION else "学位"
        self.fields["level"] = _required(forms.ChoiceField(label=label, choices=self.dicts.choices(kind)))
        self.fields["study_form"] = _required(forms.ChoiceField(
            label="学习形式", choices=self.dicts.choices(DictKind.STUDY_FORM)))

    def clean_obtained(self):
        obtained = self.cleaned_data["obtained"]
        if message := values.education_date_error(obtained, self.birth_date):
            raise ValidationError(message, code="before_plausible_age")
        return obtained


class AppointmentForm(RowForm):
    date_fields = ("start", "end")

    class Meta:
        model = AppointmentRow
        fields = BY_KEY["appointment"].columns
        formfield_callback = text_formfield


class TrainingForm(RowForm):
    date_fields = ("start", "end", "issued")

    class Meta:
        model = TrainingRow
        fields = BY_KEY["residency"].columns
        formfield_callback = text_formfield


class OtherForm(RowForm):
    class Meta:
        model = OtherRow
        fields = BY_KEY["other"].columns
        formfield_callback = text_formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"] = _required(forms.ChoiceField(
            label="类型", choices=self.dicts.choices(DictKind.OTHER_MATERIAL)))


class BaseRowFormSet(forms.BaseModelFormSet):
    # Django's own says 请最多提交 20 个表单: the candidate fills rows, not forms. Shown at the table (_rows.html).
    default_error_messages = {"too_many_forms": "最多填写%(num)d行，请删除多余的行后再保存。"}

    def __init__(self, *args, year=None, kind=None, dicts=None, birth_date=None, table=None, **kwargs):
        self.year, self.kind, self.birth_date = year, kind, birth_date
        self.table = table  # sections.RowTable: its title, 📷 slot and help show with its rows
        self.dicts = dicts or YearDicts(year)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = {"dicts": self.dicts, "table": self.table}
        if issubclass(self.form, EducationForm | WorkForm):  # their dates come after the birth
            kwargs["birth_date"] = self.birth_date
        if issubclass(self.form, EducationForm) and self.kind:
            kwargs["kind"] = self.kind
        return kwargs


@functools.cache
def row_formset(form, *, min_num=0):
    """The formset class of a row form (built once per process: the classes hold no state)."""
    return forms.modelformset_factory(form.Meta.model, form=form, formset=BaseRowFormSet, extra=0,
                                      can_delete=True, min_num=min_num, validate_min=False,
                                      max_num=20, validate_max=True, renderer=widget_renderer)


# --- 申报信息及现有资格 ---------------------------------------------------------------------

CASCADE = ["project", "level", "qualification", "category", "scope"]
PROJECT_FIXED_HELP = "报名信息已提交过，考试项目不能更改。"


class DeclarationForm(forms.ModelForm):
    """考试项目 → 报考级别 → 拟申报资格 → 执业类别 → 执业注册范围 → 申报专业, each narrowing the next.

    The 考试项目 is chosen first when the year has several (its levels, windows and deadlines are
    the project's); a year of one project gives it without asking. Once submitted, it is fixed.
    """
    default_renderer = widget_renderer

    current_qualification_date = MonthField(label="现有资格取得年月", required=False)
    practice_registered = MonthField(label="执业注册年月", required=False,
                                     help_text="医师、护士执业证书上的首次执业注册时间；资格初审按此计算执业年限。")

    class Meta:
        model = Application
        fields = ["project", "level", "qualification", "category", "scope", "specialty", "practice_change",
                  "current_qualification", "current_qualification_date", "practice_registered"]

    def __init__(self, *args, year=None, dicts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year
        dicts = dicts or YearDicts(year)
        fields = self.fields
        projects = year.project_list if year is not None else []
        self.choose_project = len(projects) > 1
        self._project_field(projects)
        chosen = self._chosen()
        # Each select offers only what leads to a specialty one can choose: a level, qualification,
        # category or scope without one (正高级 in this exam) is a dead end and is not offered.
        offered = Specialty.objects.filter(exam_year=year, enabled=True, qualification__enabled=True,
                                           qualification__level__enabled=True, category__enabled=True)
        levels = ExamLevel.objects.filter(exam_year=year, enabled=True, pk__in=offered.values("qualification__level"))
        if self.choose_project:
            # The levels follow the project; a level of another project (left from before the
            # project was changed) is no choice, and neither is anything chosen below it.
            levels = levels.filter(ExamLevel.offered_under(chosen["project"])) if chosen["project"] else levels.none()
            if chosen["level"] and not levels.filter(pk=chosen["level"]).exists():
                chosen.update(level=None, qualification=None, category=None, scope=None)
        fields["level"].queryset = levels
        fields["qualification"].queryset = Qualification.objects.filter(
            exam_year=year, enabled=True, level=chosen["level"], pk__in=offered.values("qualification"))
        of_qualification = offered.filter(qualification=chosen["qualification"])
        fields["category"].queryset = PracticeCategory.objects.filter(
            exam_year=year, enabled=True, qualifications=chosen["qualification"],
            pk__in=of_qualification.values("category"))
        saved = self.instance.category if self.instance.category_id else None  # loaded with the application
        if not self.is_bound and saved is not None and saved.pk == chosen["category"] and year is not None \
                and saved.exam_year_id == year.pk:
            category = saved
        else:
            category = PracticeCategory.objects.filter(pk=chosen["category"], exam_year=year).first()
        self.has_scopes = bool(category and category.has_scopes)
        specialties = of_qualification.filter(category=chosen["category"])
        scopes = PracticeScope.objects.filter(exam_year=year, enabled=True, category=chosen["category"])
        if self.has_scopes:
            # A specialty open to no scope in particular is open to every scope of its category.
            scopes = scopes.filter(Q(pk__in=specialties.values("scopes")) | Exists(specialties.filter(scopes=None)))
            specialties = specialties.filter(Q(scopes=chosen["scope"]) | Q(scopes=None))
        fields["scope"].queryset = scopes
        fields["specialty"].queryset = specialties
        for name in ["level", "qualification", "category", "scope", "specialty"]:
            fields[name].empty_label = "请选择"
            # A choice left from before a select above it changed (or from a page whose list has since
            # changed) is no longer offered: said in the form's words, not Django's.
            fields[name].error_messages["invalid_choice"] = (
                f"所选{fields[name].label}已不在可选范围内（上一项可能已更改），请重新选择。")
            fields[name].widget.attrs["data-cascade"] = name
            fields[name].required = name != "scope" or self.has_scopes
        fields["level"].error_messages["invalid_choice"] = "该报考级别不属于所选考试项目，请重新选择。"
        if self.choose_project and not chosen["project"]:
            fields["level"].empty_label = "请先选择考试项目"
        fields["practice_change"] = forms.ChoiceField(
            label="执业变更情况", required=False, choices=dicts.choices(DictKind.PRACTICE_CHANGE, "无"))
        fields["current_qualification"] = forms.ChoiceField(
            label="现有资格", required=False, choices=dicts.choices(DictKind.TITLE))
        _require_all(self)
        fields["project"].error_messages["required"] = "请选择考试项目。"

    def _project_field(self, projects):
        field = self.fields["project"]
        field.label = "考试项目"
        field.queryset = ExamProject.objects.filter(exam_year=self.year)
        field.required = bool(projects)
        field.empty_label = "请选择"
        field.error_messages["invalid_choice"] = "请从本年度的考试项目中选择。"
        if not self.choose_project:
            # One project: his without asking, whatever is posted (a draft of an older year may lack it).
            field.widget = forms.HiddenInput()
            field.disabled = True
            if projects and not self.instance.project_id:
                self.initial["project"] = projects[0].pk
        else:
            field.widget.attrs["data-cascade"] = "project"
            field.help_text = "请先选择考试项目：报考级别、填报时间和审核截止日期以所选项目为准。"
            if self.instance.submission_round:
                field.disabled = True  # the project of a submitted application is fixed
                field.help_text = PROJECT_FIXED_HELP

    def _chosen(self):
        """The value of each cascade field: from the posted data, else the saved application."""
        chosen = {}
        for name in CASCADE:
            bound = self.is_bound and not self.fields[name].disabled
            value = (self.data.get(self.add_prefix(name)) or None) if bound else self.initial.get(name)
            chosen[name] = value if (value is None or is_id(str(value))) else None
        return chosen

    def clean(self):
        data = super().clean()
        if not self.has_scopes:
            data["scope"] = None
        birth, when = self.instance.birth_date, data.get("current_qualification_date")
        if _passed(self, "current_qualification", "current_qualification_date") and (
                message := values.current_qualification_date_error(data.get("current_qualification"), when)):
            self.add_error("current_qualification_date", message)
        if message := values.qualification_date_error(when, birth):
            self.add_error("current_qualification_date", message)
        if message := values.after_birth_error(data.get("practice_registered"), birth,
                                               self.fields["practice_registered"].label):
            self.add_error("practice_registered", message)
        return data


class EducationCodeForm(forms.Form):
    default_renderer = widget_renderer

    chsi_code = TextField(label="学信网在线验证码", max_length=20,
                          help_text="学历证书电子注册备案表中的12位在线验证码（不填空格）；若无此项请填写“无”。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _require_all(self)

    def clean_chsi_code(self):
        return values.clean_chsi_code(self.cleaned_data["chsi_code"])


class UnitRequestForm(forms.Form):
    full_name = TextField(label="单位规范全称", max_length=100)
    region_code = forms.ChoiceField(label="所在地区")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = [("", "请选择")] + [
            (d.code, d.name) for d in Division.objects.filter(code__startswith="35", current=True).exclude(
                level="province")
        ]
        _require_all(self)
