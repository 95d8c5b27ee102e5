"""打印预报名审核确认单 for reviewers in scope (the same PDF the candidate prints)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from prereg.applications.pdf import confirmation_pdf
from prereg.applications.selectors import get_application_for
from prereg.audit.log import record

from ..access import staff_required


@require_GET
@staff_required("print_confirmation")
def print_confirmation(request, pk):
    application = get_application_for(request.user, pk)
    if not application.is_printable:
        raise PermissionDenied("报名点确认通过后才能打印审核确认单。")
    record("confirmation.print", actor=request.user, obj=application, request=request)
    response = HttpResponse(confirmation_pdf(application, request=request), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="confirmation-{application.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
