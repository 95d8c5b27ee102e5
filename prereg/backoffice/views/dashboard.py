from django.shortcuts import render
from django.views.decorators.http import require_GET

from prereg.applications.models import Application

from ..access import staff_required


@require_GET
@staff_required()
def dashboard(request):
    user = request.user
    pending = Application.objects.pending_for(user.org).count() if user.is_reviewer and user.org_id else None
    return render(request, "backoffice/dashboard.html", {"pending_count": pending})
