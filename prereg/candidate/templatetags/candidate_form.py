from django import template
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from ..rendering import field_html

register = template.Library()


@register.simple_tag
def form_field(field):
    """The same markup as {% include "includes/field.html" %}, without a template render per field."""
    return field_html(field)


_EMPTY_ROWS = {}  # (year, prefix, dictionary version) -> HTML of the "⊕ add a row" prototype


@register.simple_tag
def empty_row(fs, s):
    """The <template> row of a formset, as {% include "candidate/form/_row.html" %} renders it.

    It is the same for every candidate of a year until the year's dictionary changes, so it is
    rendered once per process and key (7 prototypes were about a third of the page's CPU).
    """
    key = (getattr(fs.year, "pk", None), fs.prefix, s["editable"], fs.dicts.version())
    html = _EMPTY_ROWS.get(key)
    if html is None:
        if len(_EMPTY_ROWS) > 200:
            _EMPTY_ROWS.clear()
        html = get_template("candidate/form/_row.html").render(
            {"form": fs.empty_form, "fs": fs, "s": s, "index": -1})
        _EMPTY_ROWS[key] = html
    return mark_safe(html)
