"""The 花名册 as CSV straight from PostgreSQL: COPY (SELECT …) TO STDOUT (FORMAT csv).

The roster is the export everyone makes. In Python, reading its eleven columns per row, looking
up labels, masking and quoting cost twice what writing the file costs; here the SELECT computes
every cell — labels joined or spelled out with CASE, numbers masked with SUBSTR, a leading
formula character guarded — and PostgreSQL writes the CSV itself, so the worker only copies
bytes to the file. The cells are exactly those of columns.ROSTER rows (a test compares both over
awkward data); lines end in LF instead of the csv module's CRLF, which every reader accepts.

SQLite has no COPY, and computing the cells in SQL there costs more than in Python (measured:
reading the bare columns alone takes 1.7× the csv module's writing of the finished rows), so the
embedded database keeps the Python path of columns.iter_row_chunks.
"""

from django.db import connection, transaction
from django.db.models import Case, CharField, F, Func, Q, Value, When
from django.db.models.functions import Coalesce, Left, Length, Right, Substr
from django.db.models.lookups import In, LessThan, LessThanOrEqual

from prereg.applications.models import Gender, Stage, State
from prereg.catalog.models import ExamLevel, Specialty
from prereg.orgs.models import Org

from .columns import FORMULA_START

TEXT = CharField()
# More stars than the longest ID number (30 characters) or phone (20) can need.
STARS = "*" * 32


def supported() -> bool:
    return connection.vendor == "postgresql"


class Joined(Func):
    """CONCAT of text parts (a flat call, NULL parts read as empty)."""

    function = "CONCAT"
    output_field = TEXT


def _v(text: str) -> Value:
    return Value(text, output_field=TEXT)


def _guarded(expression):
    """columns.csv_text in SQL: a cell a spreadsheet would read as a formula gets a leading '."""
    value = Coalesce(expression, _v(""), output_field=TEXT)
    return Case(When(In(Left(value, 1), sorted(FORMULA_START)), then=Joined(_v("'"), value)),
                default=value, output_field=TEXT)


def _empty(field: str) -> Q:
    return Q(**{field: ""}) | Q(**{f"{field}__isnull": True})


def _masked_id(field: str):
    """core.masking.mask_id_number: the first four and last four characters kept."""
    value, length = F(field), Length(field)
    return Case(
        When(_empty(field), then=_v("")),
        When(LessThanOrEqual(length, 8), then=Joined(Left(value, 1), Substr(_v(STARS), 1, length - 1))),
        default=Joined(Left(value, 4), Substr(_v(STARS), 1, length - 8), Right(value, 4)),
        output_field=TEXT)


def _masked_phone(field: str):
    """core.masking.mask_phone: the first three and last four digits kept."""
    value, length = F(field), Length(field)
    return Case(
        When(_empty(field), then=_v("")),
        When(LessThan(length, 7), then=Substr(_v(STARS), 1, length)),
        default=Joined(Left(value, 3), _v("****"), Right(value, 4)),
        output_field=TEXT)


def _label(field: str, choices, **condition):
    return Case(*[When(Q(**{field: value}, **condition), then=_v(label)) for value, label in choices],
                default=_v(""), output_field=TEXT)


def _any_formula(model, field: str) -> bool:
    """Whether some row of a small dictionary has a `field` a spreadsheet would read as a formula:
    only then are its cells guarded (the guard costs a CASE per row, and names rarely need it)."""
    starts = Q()
    for character in FORMULA_START:
        starts |= Q(**{f"{field}__startswith": character})
    return model.objects.filter(starts).exists()


def roster_cells(queryset, *, full_numbers: bool):
    """The scope's roster rows as SQL: values_list of the cells of columns.HEADERS[ROSTER] but the
    序号, the same as columns.iter_row_chunks(csv_safe=True) gives (the name and dictionary names
    guarded)."""

    def dictionary(path, model, field):
        return _guarded(F(path)) if _any_formula(model, field) else F(path)

    cells = {
        "c_number": Coalesce(F("number"), _v(""), output_field=TEXT),
        "c_name": _guarded(F("name")),
        "c_gender": _label("gender", Gender.choices),
        "c_id": F("id_number") if full_numbers else _masked_id("id_number"),
        "c_phone": F("phone") if full_numbers else _masked_phone("phone"),
        "c_unit": dictionary("unit__name", Org, "name"),
        "c_level": dictionary("level__name", ExamLevel, "name"),
        "c_specialty": dictionary("specialty__name", Specialty, "name"),
        "c_code": dictionary("specialty__code", Specialty, "code"),
        "c_state": _label("state", State.choices),
        "c_stage": _label("stage", Stage.choices, state=State.IN_REVIEW),
        "c_signature": _v(""),
    }
    return queryset.order_by("pk").annotate(**cells).values_list(*cells)


def copy_roster(queryset, out, *, full_numbers: bool) -> int:
    """Append the roster rows as CSV to the binary file `out`; returns the row count.

    No progress while it runs: the connection is busy with the COPY until its end (a progress
    UPDATE on it would wait for ever), and the whole province takes well under a second."""
    sql, params = roster_cells(queryset, full_numbers=full_numbers).query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # The dictionaries are a few dozen rows (the orgs a few thousand): hashed once, they cost
        # a fifth of what memoized lookups per application do, which the planner prefers.
        cursor.execute("SET LOCAL enable_memoize = off")
        # Only Django's compiled SQL goes in; every value is a parameter.
        with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy:
            # PostgreSQL sends one message per row, so the 序号 is put in front of each here (a
            # window function numbering them cost the server more).
            write = out.write
            for n, row in enumerate(copy, start=1):
                write(b"%d," % n)
                write(row)
        return cursor.rowcount
