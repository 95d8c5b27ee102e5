"""Unit dictionary search for candidates (手册: 输入“省立”即可找到).

Matches full and short names by substring, and pinyin (full or initials); ranks exact and
prefix matches first. Only enabled units.
"""

from django.db.models import Case, IntegerField, Q, Value, When

from .models import Org

NOT_FOUND_MESSAGE = "如果没有找到您的单位，请联系福建省卫生健康委员会人才服务与对外交流合作中心。"


def search_units(query: str, limit: int = 20):
    query = (query or "").strip()
    if not query:
        return Org.objects.none()
    lowered = query.lower().replace(" ", "")
    match = Q(name__contains=query) | Q(short_name__contains=query)
    if lowered.isascii() and lowered.isalpha():
        match |= Q(initials__startswith=lowered) | Q(pinyin__contains=lowered)
    rank = Case(
        When(Q(name=query) | Q(short_name=query), then=Value(0)),
        When(Q(name__startswith=query) | Q(short_name__startswith=query) | Q(initials__startswith=lowered), then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        Org.objects.filter(match, is_unit=True, enabled=True)
        .annotate(rank=rank)
        .order_by("rank", "name")[:limit]
    )
