"""Unit dictionary search for candidates (手册: 输入“省立”即可找到).

Matches full and short names by substring, and pinyin (full or initials, anywhere in the
name: "slyy" finds 福建省立医院); ranks exact, then prefix, then substring matches, shorter
names first. Words typed apart must each be in the name ("琯头 卫生院"); a query nothing holds
whole finds the names that hold its characters in its order (手册: 输入单位名称中的几个字即可查找:
"琯头镇卫生院" finds 连江县琯头镇中心卫生院, "福州第一医院" 福州市第一医院), shorter names first. Candidates search enabled units only; the back office searches its own subtree
(search_orgs). 20,000 units answer in ~10 ms on SQLite (bench/search_units.py):
a scan of one small table, so no extra index is needed at this size.
"""

import itertools
import re

from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import Length

from .models import Org

NOT_FOUND_MESSAGE = "没有找到名称中含有这些字的单位：可少输几个字再试（如“琯头”），仍找不到请点下方“申请添加单位”，或联系所属机构进行添加。"


def search_units(query: str, limit: int = 20):
    return search_orgs(query, Org.objects.filter(is_unit=True, enabled=True), limit)


def search_orgs(query: str, orgs, limit: int = 20):
    """The best `limit` matches of `query` among `orgs` (a queryset of Org), ranked as above: a list."""
    query = (query or "").strip()
    if not query:
        return []
    words = query.split()
    if len(words) > 1:
        for word in words:
            orgs = orgs.filter(_match(word))
        return list(_shortest_first(orgs)[:limit])
    found = list(_ranked(query, orgs, limit))
    if found or query.isascii():
        return found
    # The names holding every character (the database's substring match), then their order: a
    # regex lookup instead runs Python's re over every row on SQLite (68 ms against 28 for 20,000
    # units, bench key search_units_ms on a query nothing holds).
    for character in set(query):
        orgs = orgs.filter(name__contains=character)
    in_order = re.compile(".*".join(re.escape(character) for character in query))
    found = (org for org in _shortest_first(orgs).iterator() if in_order.search(org.name))
    return list(itertools.islice(found, limit))


def _shortest_first(orgs):
    return orgs.annotate(name_length=Length("name")).order_by("name_length", "name")


def _match(query: str) -> Q:
    lowered = query.lower()
    match = Q(name__contains=query) | Q(short_name__contains=query)
    if lowered.isascii() and lowered.isalpha():
        match |= Q(initials__contains=lowered) | Q(pinyin__contains=lowered)
    return match


def _ranked(query, orgs, limit):
    lowered = query.lower()
    match = _match(query)
    prefix = Q(name__startswith=query) | Q(short_name__startswith=query)
    if lowered.isascii() and lowered.isalpha():
        prefix |= Q(initials__startswith=lowered) | Q(pinyin__startswith=lowered)
    rank = Case(
        When(Q(name=query) | Q(short_name=query), then=Value(0)),
        When(prefix, then=Value(1)),
        When(Q(name__contains=query) | Q(short_name__contains=query), then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return (
        orgs.filter(match)
        .annotate(rank=rank, name_length=Length("name"))
        .order_by("rank", "name_length", "name")[:limit]
    )
