"""进度跟踪: counts over the user's scope, charts as inline SVG, overdue items highlighted."""

from django import forms
from django.shortcuts import render
from django.views.decorators.http import require_GET

from prereg.applications.models import Stage, State
from prereg.catalog.models import ExamYear
from prereg.exports import charts
from prereg.exports import stats as domain
from prereg.ocr.services import flag_counts

from ..access import staff_required


class StatsForm(forms.Form):
    year = forms.ModelChoiceField(ExamYear.objects.all(), label="年度", required=False, empty_label="全部年度")
    days = forms.IntegerField(label="超期天数", min_value=1, max_value=60, required=False,
                              help_text="审核中且在当前环节停留超过此天数的报名信息标为超期。")


@require_GET
@staff_required("track_progress")
def stats(request):
    year, days = ExamYear.current(), domain.overdue_days_default()
    form = StatsForm(request.GET or None, initial={"year": year, "days": days})
    if form.is_valid():
        year = form.cleaned_data["year"] if "year" in request.GET else year
        days = form.cleaned_data["days"] or days
    result = domain.compute(request.user, exam_year=year, overdue_days=days)
    stage_rows = [{"label": label, "count": result.by_stage[value]} for value, label in Stage.choices]
    return render(request, "backoffice/stats/index.html", {
        "form": form, "year": year, "s": result, "stage_rows": stage_rows,
        "state_rows": [{"value": v, "label": label, "count": result.by_state[v]} for v, label in State.choices],
        "overdue": domain.overdue_list(request.user, exam_year=year, overdue_days=days),
        "day_chart": charts.day_bars(result.days), "funnel_chart": charts.funnel(result.funnel),
        "has_org": bool(request.user.org_id),
        "ocr_flags": flag_counts(domain.scope_for(request.user, year)),  # machine reading's flags by item
    })
