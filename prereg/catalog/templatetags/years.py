"""{% load years %}: the year's status, the published notices and the notice markup."""

from django import template

from prereg.catalog import markup, services, timeline

register = template.Library()


@register.simple_tag
def year_status(year, today=None, project=None):
    return timeline.year_status(year, today, project) if year else None


@register.simple_tag(takes_context=True)
def published_notices(context, limit=10):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return []
    return list(services.published_for(user).select_related("exam_year")[:limit])


@register.filter
def notice_markup(text):
    return markup.render(text or "")
