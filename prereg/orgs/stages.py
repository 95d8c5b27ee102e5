"""The four review stages (design section 2): the orgs of a chain act at them, applications pass them."""

from django.db import models


class Stage(models.TextChoices):
    UNIT_REVIEW = "unit", "单位审查"
    POINT_CONFIRM = "point", "报名点确认"
    SITE_REVIEW = "site", "考点审核"
    DISTRICT_RECHECK = "district", "考区复核"
