"""Uploading and deleting certificate images (证件图片)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from prereg.applications import images
from prereg.applications.drafts import may_edit
from prereg.applications.models import ApplicationImage, ImageSlot
from prereg.core import ratelimit
from prereg.core.validators import is_id
from prereg.core.versions import posted_version
from prereg.ocr.tasks import enqueue_reading

from .common import current_application
from .form import UPLOAD_REFUSAL, slot_of

# Refusals of the page, not of the picture (loaded before a submit elsewhere, editing withdrawn, the form
# handed in): said at the page's top, as a section's save says them.
PAGE_REFUSALS = {"version", "state", "function"}


def _slot_html(request, application, slot, row_id, *, refusal=None) -> str:
    """One 📷 slot as the form draws it ("" if the form has no such slot), with the reason a change in it
    was refused (a ValidationError), if it was."""
    found = slot_of(application, slot, row_id)
    if found is None:
        return ""
    if refusal is not None:
        found["error"] = refusal.messages[0]
    # A page gone stale offers no button in the slot until it is loaded again.
    stale = refusal is not None and refusal.code == "version"
    return render_to_string("candidate/form/_slot.html", {
        "slot": found, "application": application,
        "editable": not stale and may_edit(request.user, application)}, request=request)


def _answer(request, application, ok, message, slot="", row_id=None, code=None):
    # candidate.js uploads with XMLHttpRequest (progress bar) and asks for JSON; the slot comes
    # back as the form shows it, so the page changes in place, without a reload.
    if request.headers.get("Accept", "").startswith("application/json"):
        html = _slot_html(request, application, slot, row_id) if ok else ""
        return JsonResponse({"ok": ok, "message": message, "html": html}, status=200 if ok else 400)
    form_url = reverse("candidate:form")
    if slot not in ImageSlot.values or (not ok and code in PAGE_REFUSALS):
        (messages.success if ok else messages.error)(request, message)
        return redirect(form_url)
    if ok:
        messages.success(request, message)
    else:  # said at the slot the page opens at (form.form_page), not screens away at its top
        request.session[UPLOAD_REFUSAL] = {"slot": slot, "row_id": row_id, "message": message}
    return redirect(form_url + f"#img-{slot}-{row_id or ''}")


@require_POST
# Per candidate: in the last days a hospital's staff upload from behind one address.
@ratelimit.limit("upload", key=ratelimit.user_or_address)
def image_upload(request):
    application = current_application(request.user)
    slot, row = request.POST.get("slot", ""), request.POST.get("row_id", "")
    row_id = int(row) if is_id(row) else None
    try:
        created = images.images_add(
            actor=request.user, application=application, slot=slot, row_id=row_id,
            uploads=request.FILES.getlist("file"),
            expected_version=posted_version(request.POST.get("version")), request=request)
    except ValidationError as error:
        return _answer(request, application, False, error.messages[0], slot, row_id, code=error.code)
    enqueue_reading(created)  # machine reading in the background, after the commit (never holds this up)
    return _answer(request, application, True, f"已上传{len(created)}张图片。", slot, row_id)


@require_GET
def image_slot(request):
    """One 📷 slot drawn again: the slot asks while its just-uploaded image is being read."""
    application = current_application(request.user)
    slot, row = request.GET.get("slot", ""), request.GET.get("row_id", "")
    html = _slot_html(request, application, slot, int(row) if is_id(row) else None) if slot in ImageSlot.values else ""
    if not html:
        raise Http404
    return HttpResponse(html)


@require_POST
def image_delete(request, pk):
    application = current_application(request.user)
    image = ApplicationImage.objects.filter(pk=pk, application=application).values("slot", "row_id").first()
    if image is None:  # not an image of this year's form (another's is refused the same way: nothing to tell)
        raise Http404
    try:
        images.image_delete(actor=request.user, image_id=pk,
                            expected_version=posted_version(request.POST.get("version")), request=request)
    except ValidationError as error:
        if request.htmx:  # redrawn as it is now, with the reason (htmx swaps only a 2xx answer)
            return HttpResponse(_slot_html(request, application, image["slot"], image["row_id"], refusal=error))
        return _answer(request, application, False, error.messages[0])
    if request.htmx:
        # The slot, redrawn in place; the index and the submit box fetch themselves again.
        return HttpResponse(_slot_html(request, application, image["slot"], image["row_id"]),
                            headers={"HX-Trigger": "images-changed"})
    return _answer(request, application, True, "图片已删除。", image["slot"], image["row_id"])
