"""Certificate images, served only to those who may see the application."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from prereg.audit.log import record

from .models import Application, ApplicationImage


def get_image_for(user, pk) -> ApplicationImage:
    visible = Application.objects.visible_to(user)
    return get_object_or_404(ApplicationImage.objects.filter(application__in=visible), pk=pk)


@require_GET
def image(request, pk):
    img = get_image_for(request.user, pk)
    if not request.user.is_candidate:
        record("image.view", actor=request.user, obj=img, request=request,
               details={"application": img.application_id, "slot": img.slot})
    try:
        handle = img.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=img.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def thumbnail(request, pk):
    img = get_image_for(request.user, pk)
    field = img.thumbnail or img.file
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg" if img.thumbnail else img.content_type)
    response["Cache-Control"] = "private, no-store"
    return response
