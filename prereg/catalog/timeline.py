"""Where an exam year stands on a given day: the candidate home page's status and countdown."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

COUNTDOWN_DAYS = 7  # the "last days" in which the home page counts down


@dataclass
class Milestone:
    label: str
    start: datetime.date | None
    end: datetime.date
    state: str  # "done" / "current" / "upcoming"
    # Days to go (0 = today), for current/upcoming: until `end` while current; while upcoming, until
    # `start` for a span (N天后开始) and until `end` for a deadline, which has no start (N天后截止).
    days_left: int | None

    @property
    def closes_at(self) -> str:
        """End of the last day in local time, ISO-8601, for the live countdown."""
        moment = timezone.make_aware(datetime.datetime.combine(self.end, datetime.time(23, 59, 59)))
        return moment.isoformat()

    @property
    def counting_down(self) -> bool:
        return self.state == "current" and self.days_left is not None and self.days_left < COUNTDOWN_DAYS


@dataclass
class YearStatus:
    headline: str
    milestones: list
    countdown: Milestone | None
    windows: object = None  # the catalog.models.Windows the status was computed from


def day_text(day: datetime.date) -> str:
    """A date as the candidate's pages print it elsewhere (the |date:"Y年n月j日" of the templates): 2026年12月7日."""
    return f"{day.year}年{day.month}月{day.day}日"


def year_status(year, today=None, project=None) -> YearStatus:
    """The year as `project` sees it: its own dates where it has them, else the year's."""
    today = today or timezone.localdate()
    windows = year.windows(project)
    spans = [
        ("省网填报", windows.form_opens, windows.form_closes),
        ("国网报名", windows.national_opens, windows.national_closes),
        ("现场确认截止", None, windows.confirm_deadline),
    ]
    milestones = []
    for label, start, end in spans:
        begins = start or windows.form_opens  # confirmation is possible once the form is open
        if today > end:
            state, days = "done", None
        elif today >= begins:
            state, days = "current", (end - today).days
        else:
            state, days = "upcoming", ((start or end) - today).days
        milestones.append(Milestone(label, start, end, state, days))
    if today < windows.form_opens:
        headline = f"省网填报尚未开始，将于{day_text(windows.form_opens)}开放（还有{(windows.form_opens - today).days}天）。"
    elif today <= windows.form_closes:
        headline = f"省网填报进行中，{day_text(windows.form_closes)}截止。"
    elif today <= windows.confirm_deadline:
        headline = f"省网填报已截止；请在{day_text(windows.confirm_deadline)}前完成现场确认。"
    else:
        headline = f"{windows.name}报名工作已结束。"
    countdown = next((m for m in milestones if m.counting_down), None)
    return YearStatus(headline, milestones, countdown, windows)
