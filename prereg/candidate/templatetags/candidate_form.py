from django import template

from ..rendering import field_html

register = template.Library()


@register.simple_tag
def form_field(field):
    """The same markup as {% include "includes/field.html" %}, without a template render per field."""
    return field_html(field)
