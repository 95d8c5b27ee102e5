from django.shortcuts import render
from django.views.decorators.http import require_GET

from prereg.applications.completeness import missing
from prereg.applications.models import Application
from prereg.catalog.models import ExamYear

from .common import require_candidate


@require_GET
def home(request):
    require_candidate(request.user)
    year = ExamYear.current()
    application = Application.objects.visible_to(request.user).filter(exam_year=year).first() if year else None
    return render(request, "candidate/home.html", {
        "year": year, "application": application,
        "missing": missing(application) if application and application.state in ("draft", "returned") else [],
        "form_open": year.form_is_open() if year else False,
    })
