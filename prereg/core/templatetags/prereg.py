from django import template

from prereg.core.masking import mask_id_number, mask_phone

register = template.Library()


@register.filter
def mask_id(value):
    return mask_id_number(value)


@register.filter
def mask_mobile(value):
    return mask_phone(value)
