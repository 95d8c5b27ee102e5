from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from prereg.applications.models import Application
from prereg.catalog.models import ExamYear


@require_GET
def home(request):
    if not request.user.is_candidate:
        raise PermissionDenied("该页面仅供考生使用。")
    year = ExamYear.current()
    application = Application.objects.visible_to(request.user).filter(exam_year=year).first() if year else None
    return render(request, "candidate/home.html", {"year": year, "application": application})
