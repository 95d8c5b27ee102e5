"""The yearly limit of SMS reminders to a candidate (提醒考生, 国网名单核对) and the one count that
checks it, and the sending within it. The apps that send reminders pass the people in; notify knows
nothing of their lists."""

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from .models import Reminder, RosterReminder
from .sms import send_sms

REMINDERS_PER_YEAR = 2
# A second reminder this soon says nothing the first did not: two taps of 发送 (or two reviewers on
# the same list) would spend a candidate's year of reminders within a second.
REMINDER_GAP = timedelta(hours=24)


def reminder_counts(exam_year, people) -> dict:
    """(id_number, candidate_id) -> reminders this exam year; one more may be sent while the count
    is below REMINDERS_PER_YEAR.

    A person is counted by his account (Reminder, a reminder about his application) plus his ID
    number (RosterReminder, a reminder to someone with no application here). An empty ID number
    counts the account only; a candidate_id of None, the ID number only.
    """
    people = list(people)
    candidates = {c for _i, c in people if c}
    by_candidate = dict(Reminder.objects.filter(exam_year=exam_year, candidate_id__in=candidates)
                        .values_list("candidate_id").annotate(n=Count("pk"))) if candidates else {}
    numbers = {i for i, _c in people if i}
    by_number = dict(RosterReminder.objects.filter(exam_year=exam_year, id_number__in=numbers)
                     .values_list("id_number").annotate(n=Count("pk"))) if numbers else {}
    return {(i, c): by_candidate.get(c, 0) + by_number.get(i, 0) for i, c in people}


def reminded_since(exam_year, people, since) -> set:
    """The (id_number, candidate_id) of `people` reminded after `since`, counted as reminder_counts counts."""
    people = list(people)
    candidates = set(Reminder.objects.filter(exam_year=exam_year, created_at__gt=since,
                                             candidate_id__in={c for _i, c in people if c})
                     .values_list("candidate_id", flat=True))
    numbers = set(RosterReminder.objects.filter(exam_year=exam_year, created_at__gt=since,
                                                id_number__in={i for i, _c in people if i})
                  .values_list("id_number", flat=True))
    return {(i, c) for i, c in people if c in candidates or i in numbers}


def reminders_send(exam_year, people, text) -> tuple[list, list]:
    """An SMS reminder to each of `people`, (who, id_number, candidate_id, name, phone), save one who
    has had REMINDERS_PER_YEAR this exam year or has no phone; `text(who)` is its text. Returns the
    sent, [(who, message, nth)], for the caller to record, and the skipped, [(who, reason)]."""
    keys = [(i, c) for _who, i, c, _name, _phone in people]
    counts = reminder_counts(exam_year, keys)
    recent = reminded_since(exam_year, keys, timezone.now() - REMINDER_GAP)
    sent, skipped = [], []
    for who, id_number, candidate_id, name, phone in people:
        count = counts[id_number, candidate_id]
        if count >= REMINDERS_PER_YEAR:
            skipped.append((who, f"{name}：本年度已提醒{count}次"))
        elif (id_number, candidate_id) in recent:
            skipped.append((who, f"{name}：24小时内已提醒过，请勿重复提醒"))
        elif not phone:
            skipped.append((who, f"{name}：没有手机号码"))
        else:
            counts[id_number, candidate_id] = count + 1
            sent.append((who, send_sms(phone, text(who), purpose="reminder"), count + 1))
    return sent, skipped
