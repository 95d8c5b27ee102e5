"""打印预报名审核确认单 for reviewers in scope (the same PDF the candidate prints)."""

from django.views.decorators.http import require_GET

from prereg.applications.selectors import get_application_for
from prereg.applications.views import confirmation_response
from prereg.audit.log import record

from ..access import staff_required


@require_GET
@staff_required("print_confirmation")
def print_confirmation(request, pk):
    application = get_application_for(request.user, pk)
    response = confirmation_response(application, request)  # refused (403) while not printable
    record("confirmation.print", actor=request.user, obj=application, request=request)
    return response
