"""The permission table in templates: `{% if user|has_function:"change_password" %}` hides a link
with the very predicate its view asks (permissions.has_function)."""

from django import template

from prereg.accounts import permissions

register = template.Library()


@register.filter
def has_function(user, function: str) -> bool:
    return permissions.has_function(user, function)
