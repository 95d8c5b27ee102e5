"""The 花名册 and the full record as CSV straight from PostgreSQL: COPY (SELECT …) TO STDOUT (FORMAT csv).

In Python, reading the columns of each row, looking up labels, masking and quoting cost several
times what writing the file costs; here the SELECT computes every cell — labels joined or
spelled out with CASE, numbers masked with SUBSTR, dates formatted with to_char, a leading
formula character guarded — and PostgreSQL writes the CSV itself, so the worker only copies
bytes to the file. The cells are exactly those of the Python path (columns.iter_row_chunks with
csv_safe; tests compare both over awkward data); lines end in LF instead of the csv module's
CRLF, which every reader accepts.

The full record's child-row cells are those kept in RowText (applications.rowtext): the caller
fills what is missing first, and a copy that meets an application whose cells were dropped since
says so (copy_full_record returns None) instead of writing it without them.

SQLite has no COPY, and computing the cells in SQL there costs more than in Python (measured:
reading the bare columns alone takes 1.7× the csv module's writing of the finished rows), so the
embedded database keeps the Python path of columns.iter_row_chunks.
"""

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, CharField, F, Func, Q, Value, When
from django.db.models.functions import Cast, Coalesce, Left, Length, Right, Substr
from django.db.models.lookups import In, LessThan, LessThanOrEqual

from prereg.accounts.models import IdType
from prereg.applications import rowtext
from prereg.applications.models import STAGE_ORG_FIELD, Gender, Stage, State
from prereg.catalog.models import (
    Ethnicity,
    ExamLevel,
    ExamProject,
    PracticeCategory,
    PracticeScope,
    Qualification,
    Specialty,
)
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


def _label(field: str, choices, default=None, **condition):
    return Case(*[When(Q(**{field: value}, **condition), then=_v(label)) for value, label in choices],
                default=_v("") if default is None else default, output_field=TEXT)


class ToChar(Func):
    """to_char(value, format): NULL for NULL."""

    function = "TO_CHAR"
    output_field = TEXT


class AtTimeZone(Func):
    """A timestamptz as the wall-clock time of a zone (the export's local time, columns._dt)."""

    template = "(%(expressions)s)"
    arg_joiner = " AT TIME ZONE "


def _any_formula(model, field: str) -> bool:
    """Whether some row of a small dictionary has a `field` a spreadsheet would read as a formula:
    only then are its cells guarded (the guard costs a CASE per row, and names rarely need it)."""
    starts = Q()
    for character in FORMULA_START:
        starts |= Q(**{f"{field}__startswith": character})
    return model.objects.filter(starts).exists()


def _dictionary(path, model, field):
    """A dictionary entry's name (or code) by join (`path`, or an expression choosing among
    joins), guarded only if some entry needs it."""
    value = F(path) if isinstance(path, str) else path
    return _guarded(value) if _any_formula(model, field) else Coalesce(value, _v(""), output_field=TEXT)


def _date(field: str, format: str):
    return Coalesce(ToChar(F(field), _v(format)), _v(""), output_field=TEXT)


def _local_time(field: str):
    """columns._dt: the time in the project's zone, to the minute."""
    local = AtTimeZone(F(field), _v(settings.TIME_ZONE), output_field=TEXT)
    return Coalesce(ToChar(local, _v("YYYY-MM-DD HH24:MI")), _v(""), output_field=TEXT)


def roster_cells(queryset, *, full_numbers: bool):
    """The scope's roster rows as SQL: values_list of the cells of columns.HEADERS[ROSTER] but the
    序号, the same as columns.iter_row_chunks(csv_safe=True) gives (the name and dictionary names
    guarded)."""
    cells = {
        "c_number": Coalesce(F("number"), _v(""), output_field=TEXT),
        "c_name": _guarded(F("name")),
        "c_gender": _label("gender", Gender.choices),
        "c_id": F("id_number") if full_numbers else _masked_id("id_number"),
        "c_phone": F("phone") if full_numbers else _masked_phone("phone"),
        "c_unit": _dictionary("unit__name", Org, "name"),
        "c_level": _dictionary("level__name", ExamLevel, "name"),
        "c_specialty": _dictionary("specialty__name", Specialty, "name"),
        "c_code": _dictionary("specialty__code", Specialty, "code"),
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


def record_cells(queryset, *, full_numbers: bool):
    """The scope's full-record rows as SQL: a first cell 1 where the application has no kept
    child-row cells (else 0), then the cells of columns.HEADERS[FULL], the same as
    columns.iter_row_chunks(csv_safe=True) gives (every typed text guarded)."""
    in_review = Q(state=State.IN_REVIEW)
    current_org = Case(*[When(in_review & Q(stage=stage), then=F(f"{field}__name"))
                         for stage, field in STAGE_ORG_FIELD.items()], output_field=TEXT)
    cells = {
        "c_lost": Case(When(row_text__isnull=True, then=_v("1")), default=_v("0"), output_field=TEXT),
        "c_number": _guarded(F("number")),
        "c_name": _guarded(F("name")),
        "c_gender": _label("gender", Gender.choices),
        "c_id_type": _guarded(_label("id_type", IdType.choices, default=F("id_type"))),
        "c_id": _guarded(F("id_number") if full_numbers else _masked_id("id_number")),
        "c_birth": _date("birth_date", "YYYY-MM-DD"),
        "c_ethnicity": _dictionary("ethnicity__name", Ethnicity, "name"),
        "c_phone": _guarded(F("phone") if full_numbers else _masked_phone("phone")),
        "c_postcode": _guarded(F("postcode")),
        "c_address": _guarded(F("address")),
        "c_unit": _dictionary("unit__name", Org, "name"),
        "c_project": _dictionary("project__name", ExamProject, "name"),
        "c_level": _dictionary("level__name", ExamLevel, "name"),
        "c_qualification": _dictionary("qualification__name", Qualification, "name"),
        "c_category": _dictionary("category__name", PracticeCategory, "name"),
        "c_scope": _dictionary("scope__name", PracticeScope, "name"),
        "c_specialty": _dictionary("specialty__name", Specialty, "name"),
        "c_code": _dictionary("specialty__code", Specialty, "code"),
        "c_change": _guarded(F("practice_change")),
        "c_current": _guarded(F("current_qualification")),
        "c_current_date": _date("current_qualification_date", "YYYY.MM"),
        "c_chsi": _guarded(F("chsi_code")),
        **{f"c_{cell}": _guarded(F(f"row_text__{cell}")) for cell in rowtext.CELLS},
        "c_state": _label("state", State.choices),
        "c_stage": _label("stage", Stage.choices, state=State.IN_REVIEW),
        "c_current_org": _dictionary(current_org, Org, "name"),
        "c_round": Cast("submission_round", output_field=TEXT),
        "c_submitted": _local_time("submitted_at"),
        "c_approved": _local_time("approved_at"),
        "c_reason": _guarded(F("returned_reason")),
    }
    return queryset.order_by("pk").annotate(**cells).values_list(*cells)


def copy_full_record(queryset, out, *, full_numbers: bool) -> int | None:
    """Append the full-record rows as CSV to the binary file `out`; returns the row count, or None
    if some application had no kept child-row cells (dropped since the caller filled them: the
    caller fills again and copies again)."""
    sql, params = record_cells(queryset, full_numbers=full_numbers).query.sql_with_params()
    complete = True
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_memoize = off")
        with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy:
            write = out.write
            for row in copy:
                # Each line starts with the c_lost flag and its comma: 0, or 1 for a row whose
                # child-row cells are gone.
                if row[0] != 48:
                    complete = False
                write(row[2:])
        count = cursor.rowcount
    return count if complete else None
