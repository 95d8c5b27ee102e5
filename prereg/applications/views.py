"""Certificate images, served only to those who may see the application."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from prereg.accounts.models import Role
from prereg.accounts.permissions import has_function, require_function
from prereg.audit.log import record

from .models import Application
from .pdf import confirmation_pdf, is_genuine
from .selectors import get_image_for


@require_GET
def image(request, pk):
    img = get_image_for(request.user, pk)
    if not request.user.is_candidate:
        record("image.view", actor=request.user, obj=img, request=request,
               details={"application": img.application_id, "slot": img.slot})
    return _send(img.file, img.content_type)


@require_GET
def thumbnail(request, pk):
    img = get_image_for(request.user, pk)
    return _send(img.thumbnail or img.file, "image/jpeg" if img.thumbnail else img.content_type)


def _send(field, content_type):
    """The stored file, once the caller has checked scope: handed to nginx when it serves private
    media (settings.PRIVATE_MEDIA_ACCEL_PREFIX), else streamed from storage."""
    if settings.PRIVATE_MEDIA_ACCEL_PREFIX:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.PRIVATE_MEDIA_ACCEL_PREFIX.rstrip("/") + "/" + field.name
    else:
        try:
            response = FileResponse(field.open("rb"), content_type=content_type)
        except FileNotFoundError:
            raise Http404 from None
    response["Cache-Control"] = "private, no-store"
    return response


def may_print(user, application) -> bool:
    """打印审核确认单, for the candidate and the reviewer alike: his role holds the function (配置角色权限)
    and the form is printable (PRINTABLE_AT). Both audiences' 打印 buttons and confirmation_response ask it."""
    return has_function(user, "print_confirmation") and application.is_printable


def confirmation_response(application, request) -> HttpResponse:
    """The 审核确认单 PDF of `application`, once its caller has fetched it in the user's scope: the
    candidate's and the reviewer's 打印 both answer with it, or refuse as both buttons' predicate does."""
    if not may_print(request.user, application):
        require_function(request.user, "print_confirmation")  # refused by 配置角色权限: say so
        raise PermissionDenied("报名点确认通过后才能打印审核确认单。")
    response = HttpResponse(confirmation_pdf(application, request=request), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="confirmation-{application.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def verify(request, number, token):
    """The page the confirmation form's QR code opens: is this form genuine, and where is it now?"""
    if request.user.role not in Role.reviewer_roles() and request.user.role != Role.SYSADMIN:
        raise PermissionDenied("该页面仅供审核人员使用。")
    application = get_object_or_404(Application.objects.visible_to(request.user), number=number)
    genuine = is_genuine(application, token)
    record("confirmation.verify", actor=request.user, obj=application, request=request,
           details={"genuine": genuine})
    logs = application.review_logs.select_related("org").order_by("created_at", "pk")
    return render(request, "applications/verify.html",
                  {"application": application, "genuine": genuine, "logs": logs})
