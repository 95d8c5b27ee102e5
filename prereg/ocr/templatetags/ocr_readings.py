"""The machine reading's warnings on the candidate's form (one include in its 📷 slot)."""

from django import template

from prereg.applications.models import Application

from ..services import slot_warnings

register = template.Library()


@register.simple_tag(takes_context=True)
def ocr_slot_warnings(context, slot) -> list[str]:
    """照片中的…与填写的…不一致，请核对 for the images of one slot of the form (a dict with "images")."""
    images = slot.get("images") if isinstance(slot, dict) else None
    if not images:
        return []
    application = context.get("application")
    if application is None or application.pk != images[0].application_id:
        # The slot drawn alone (after an upload or a deletion): the application it belongs to.
        application = Application.objects.select_related("ethnicity", "category", "scope").get(pk=images[0].application_id)
    return slot_warnings(application, [image.pk for image in images])
