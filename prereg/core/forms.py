import datetime

from django import forms
from django.core.exceptions import ValidationError

from .validators import clean_line, halfwidth

# The days a filter may name (待审信息, 已审信息, 考生信息导出, 审计日志): every record of the system
# falls between them, with room on both sides. A filter's day becomes the start of that day (or of
# the next) in local time, then UTC: at Python's own ends (0001-01-01, 9999-12-31) that overflows,
# a server error instead of "nothing found" (hostile-input probe).
FILTER_DATE_MIN = datetime.date(2000, 1, 1)
FILTER_DATE_MAX = datetime.date(2099, 12, 31)


class FilterDateField(forms.DateField):
    """A day of a list's or an export's filter, optional: as the browser's date picker sends it
    (2024-01-31), full-width digits too (a Chinese input method's 全角 mode), and only within
    FILTER_DATE_MIN..FILTER_DATE_MAX. Every filter form takes its days with this field, so the lists,
    their exports and the audit log refuse the same days with the same message."""

    widget = forms.DateInput(attrs={"type": "date"})
    default_error_messages = {
        "invalid": "请输入正确的日期，例如 2024-01-31。",
        "out_of_range": f"日期超出范围，请填写{FILTER_DATE_MIN.isoformat()}至{FILTER_DATE_MAX.isoformat()}之间的日期。",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        return super().to_python(halfwidth(value) if isinstance(value, str) else value)

    def validate(self, value):
        super().validate(value)
        if value and not FILTER_DATE_MIN <= value <= FILTER_DATE_MAX:
            raise ValidationError(self.error_messages["out_of_range"], code="out_of_range")

    def widget_attrs(self, widget):
        # The browser's date picker offers only the days the field takes.
        return {**super().widget_attrs(widget), "min": FILTER_DATE_MIN.isoformat(), "max": FILTER_DATE_MAX.isoformat()}


class LineField(forms.CharField):
    """One line of text that names something, on a back-office page (a year's or a 考试项目's name, a
    dictionary entry's, a reviewer's 职务 and 科室), read by the rule every typed text is read by
    (core.validators.clean_line, clean_text's as the candidate's and the org's forms read it): a control
    character refused at the field, zero-width and direction characters dropped, runs of spaces made one;
    text of invisible characters alone is blank, so a required field asks for it."""

    def to_python(self, value):
        value = super().to_python(value)
        return clean_line(value) if value else value


def add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: at its field where it names one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
