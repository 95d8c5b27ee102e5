from django import template
from django.template.loader import get_template

from prereg.applications.carryover import disabled_unit_note

register = template.Library()


@register.simple_tag
def carried_unit_note(application):
    """Why a draft carried over from an earlier year has no unit: that year's unit is disabled (or "")."""
    return disabled_unit_note(application)


_EMPTY_ROWS = {}  # (year, prefix, editable, dictionary version) -> HTML of the "⊕ add a row" prototype


@register.simple_tag
def empty_row(fs, s):
    """The <template> row of a formset, as {% include "candidate/form/_row.html" %} renders it.

    It is the same for every candidate of a year until the year's dictionary changes, so it is
    rendered once per process and key. Drawing the 7 prototypes on each request costs ≈ 10-18 ms
    of CPU (bench key form_page_ms, median on a loaded 2-core machine: 53-63 ms with this cache,
    58-84 ms without; goal ≤ 60).
    """
    key = (getattr(fs.year, "pk", None), fs.prefix, s["editable"], fs.dicts.version())
    html = _EMPTY_ROWS.get(key)
    if html is None:
        if len(_EMPTY_ROWS) > 200:
            _EMPTY_ROWS.clear()
        html = get_template("candidate/form/_row.html").render(
            {"form": fs.empty_form, "fs": fs, "s": s, "index": -1})
        _EMPTY_ROWS[key] = html
    return html
