"""Python rendering of the form's widgets and fields, byte for byte what Django's templates give.

The registration form has ~300 widgets; through Django's widget templates each input is two
template renders and each <option> two more, which was most of the page's CPU. The renderer
below writes the common widgets (input, select, textarea) directly and hands anything else to
the ordinary template renderer.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

_INPUTS = {f"django/forms/widgets/{name}.html" for name in (
    "input", "text", "hidden", "date", "number", "email", "tel", "url", "password", "checkbox", "datetime",
    "time", "search")}


def _attrs(attrs):
    # django/forms/widgets/attrs.html
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {conditional_escape(name)}")
        if value is not True:
            out.append(f'="{conditional_escape(value)}"')
    return "".join(out)


def _input(w):
    value = "" if w["value"] is None else f' value="{conditional_escape(w["value"])}"'
    return f'<input type="{conditional_escape(w["type"])}" name="{conditional_escape(w["name"])}"{value}{_attrs(w["attrs"])}>'


def _select(w):
    out = [f'<select name="{conditional_escape(w["name"])}"{_attrs(w["attrs"])}>']
    for group_name, group_choices, _index in w["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option["template_name"] != "django/forms/widgets/select_option.html":
                raise _Fallback
            out.append(f'\n  <option value="{conditional_escape(option["value"])}"{_attrs(option["attrs"])}>'
                       f'{conditional_escape(localize(option["label"]))}</option>\n')
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def _textarea(w):
    value = f'{conditional_escape(localize(w["value"]))}' if w["value"] else ""
    return f'<textarea name="{conditional_escape(w["name"])}"{_attrs(w["attrs"])}>\n{value}</textarea>'


class _Fallback(Exception):
    pass


class FastRenderer(DjangoTemplates):
    """DjangoTemplates, with input/select/textarea widgets written in Python."""

    def render(self, template_name, context, request=None):
        try:
            if template_name in _INPUTS:
                return mark_safe(_input(context["widget"]))
            if template_name == "django/forms/widgets/select.html":
                return mark_safe(_select(context["widget"]))
            if template_name == "django/forms/widgets/textarea.html":
                return mark_safe(_textarea(context["widget"]))
        except _Fallback:
            pass
        return super().render(template_name, context, request)


renderer = FastRenderer()


def field_html(field):
    """includes/field.html for one bound field."""
    classes = "field" + (" has-error" if field.errors else "") + (" required" if field.field.required else "")
    help_text = f'<small class="help">{conditional_escape(field.help_text)}</small>' if field.help_text else ""
    errors = "".join(f'<div class="error" role="alert">{conditional_escape(e)}</div>' for e in field.errors)
    return mark_safe(
        f'<div class="{classes}">\n'
        f'  <label for="{conditional_escape(field.id_for_label)}">{conditional_escape(field.label)}</label>\n'
        f'  {conditional_escape(field)}\n'
        f'  {help_text}\n'
        f'  {errors}\n'
        f'</div>\n')
