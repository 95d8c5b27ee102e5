"""Uploading and deleting certificate images (证件图片)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from prereg.applications import images
from prereg.core import ratelimit

from .common import current_application


def _answer(request, ok, message, status):
    # candidate.js uploads with XMLHttpRequest (progress bar) and asks for JSON.
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"ok": ok, "message": message}, status=status)
    (messages.success if ok else messages.error)(request, message)
    return redirect(reverse("candidate:form") + "#images")


@require_POST
# Per candidate: in the last days a hospital's staff upload from behind one address.
@ratelimit.limit("upload", key=ratelimit.user_or_address)
def image_upload(request):
    application = current_application(request.user)
    row = request.POST.get("row_id") or None
    try:
        created = images.images_add(
            actor=request.user, application=application, slot=request.POST.get("slot", ""),
            row_id=int(row) if row and row.isdigit() else None, uploads=request.FILES.getlist("file"),
            request=request)
    except ValidationError as error:
        return _answer(request, False, error.messages[0], 400)
    return _answer(request, True, f"已上传{len(created)}张图片。", 200)


@require_POST
def image_delete(request, pk):
    current_application(request.user)
    try:
        images.image_delete(actor=request.user, image_id=pk, request=request)
    except PermissionDenied:
        raise
    except ValidationError as error:
        return _answer(request, False, error.messages[0], 400)
    return _answer(request, True, "图片已删除。", 200)
