"""The registration form: one page, each section saved on its own (htmx swaps the section)."""

import re
from collections import Counter

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prereg.applications import images as image_rules
from prereg.applications import services as workflow_services
from prereg.applications.carryover import carried_from
from prereg.applications.completeness import FIELD_SLOTS, form_field_slots, gaps, unneeded_field_slots
from prereg.applications.drafts import edit_refusal, may_edit
from prereg.applications.images import SLOT_GUIDES, slot_guide
from prereg.applications.models import ApplicationImage, FieldCheck, ImageSlot, State
from prereg.applications.review import ID_CARD, check_fields
from prereg.applications.sections import ASSESSED, BY_SLOT, ROW_SECTION_TITLES, tables_of
from prereg.core import ratelimit
from prereg.core.versions import posted_version
from prereg.ocr import services as ocr
from prereg.orgs.models import Org
from prereg.orgs.search import NOT_FOUND_MESSAGE, search_units
from prereg.orgs.services import unit_request_create

from ..forms import (
    AppointmentForm,
    BasicForm,
    DeclarationForm,
    EducationCodeForm,
    EducationForm,
    OtherForm,
    TrainingForm,
    UnitRequestForm,
    WorkForm,
    YearDicts,
    row_formset,
)
from .common import current_application
from .phone import send_phone_code

# The form class of each row table (prereg.applications.sections describes the tables).
ROW_FORMS = {"work": WorkForm, "education": EducationForm, "degree": EducationForm, "appointment": AppointmentForm,
             "residency": TrainingForm, "gp": TrainingForm, "other": OtherForm}
SECTIONS = ["basic", "work", "education", "declaration", "appointment", "residency", "gp", "other"]


def _formsets(application, section, data=None, dicts=None):
    result = []
    for table in tables_of(section):
        formset_class = row_formset(ROW_FORMS[table.key], min_num=table.min_rows)
        formset = formset_class(data, queryset=table.rows(application), prefix=table.prefix,
                                year=application.exam_year, kind=table.kind, dicts=dicts,
                                birth_date=application.birth_date, table=table)
        for index, form in enumerate(formset.forms):
            if form.instance.pk:
                # The rows are this application's: its 聘任年限 reads the year without a query per row.
                form.instance.application = application
            form.assessed_name = f"{ASSESSED}{table.label}" if table.is_assessed(index) else ""  # 参评学历
        result.append(formset)
    return result


def _forms(application, section, data=None, dicts=None):
    """The form and formsets of one section, bound to `data` if given."""
    form, formsets = None, []
    if section == "basic":
        form = BasicForm(data, instance=application, prefix="basic")
    elif section == "declaration":
        form = DeclarationForm(data, instance=application, year=application.exam_year, prefix="decl", dicts=dicts)
    else:
        formsets = _formsets(application, section, data, dicts)
        if section == "education":
            form = EducationCodeForm(data, prefix="chsi", initial={"chsi_code": application.chsi_code})
    return form, formsets


def _disable(form, formsets):
    """The fields shown, not editable. A form bound to what was typed (a save refused because the application
    was submitted meanwhile from another tab) is made read-only instead: a disabled field shows the stored
    value, and the candidate's typing would be gone from the page (phone probe)."""
    for f in ([form] if form else []) + [f for fs in formsets for f in fs.forms]:
        for field in f.fields.values():
            if f.is_bound:
                field.widget.attrs["readonly"] = True
            else:
                field.disabled = True


def section_context(application, section, form=None, formsets=None, saved=False, dicts=None, images=None,
                    section_version=None):
    """`section_version`: the section's saves its form posts back (by default as stored; a form shown
    again with what was typed keeps the one it was drawn with, so a stale page stays stale)."""
    if form is None and formsets is None:
        form, formsets = _forms(application, section, dicts=dicts)
    _attach_row_slots(application, formsets, images)
    marks = review_marks(application)
    editable = may_edit(application.candidate, application)
    if not editable:
        _disable(form, formsets)
    if section_version is None:
        section_version = application.section_versions.get(section, 0)
    return {"application": application, "section": section, "title": section_title(section), "form": form,
            "formsets": formsets, "editable": editable, "saved": saved, "section_version": section_version,
            "review_marks": sorted({label for label, at, _checked in marks.values() if at == section})}


def review_marks(application) -> dict:
    """{(slot, row id): (label, section, when ticked)} of the 📷 items a reviewer ticked 否 (与原件不一致)
    in the round that returned the application, for the form to show at their slots and sections
    (the reviewer manual: 否 where 证件与所填信息不符). Empty unless returned; read once per page."""
    if application.state != State.RETURNED:
        return {}
    if "review_marks" not in application.__dict__:
        refused = dict(FieldCheck.objects.filter(application=application, submission_round=application.submission_round,
                                                 consistent=False).values_list("field", "checked_at"))
        marks = {}
        for item in check_fields(application, with_images=False) if refused else []:
            if item.key in refused:
                for slot, row_id in item.slots:
                    # A row's item is its section's; the 证件 item checks 基本信息, the others 申报信息.
                    section = BY_SLOT[slot].section if row_id else "basic" if item.key == ID_CARD else "declaration"
                    marks[(slot, row_id)] = (item.label, section, refused[item.key])
        application.review_marks = marks
    return application.review_marks


def images_by_slot(application) -> dict:
    """The application's images by (slot, row id), in upload order: one query for a whole page, and
    one more, for all its slots, when a photo uploaded just now may still wait for its reading
    (`image.reading_awaited`)."""
    found = list(ApplicationImage.objects.filter(application=application).order_by("pk"))
    awaited = ocr.awaiting_reading(found)
    images = {}
    for image in found:
        image.reading_awaited = image.pk in awaited
        images.setdefault((image.slot, image.row_id), []).append(image)
    return images


def _slot(slot, label, images, row_id=None, required=True, guide=None, needed=True, marks=None, note=""):
    found = images.get((slot, row_id), [])
    limit = image_rules.slot_limit(slot)
    return {"slot": slot, "row_id": row_id, "label": label, "images": found,
            # A slot of one replaces its image: never full. Another takes `room` more (images._check_room).
            "limit": limit, "room": 1 if limit == 1 else max(0, limit - len(found)),
            "full": limit > 1 and len(found) >= limit,
            "mismatch": (slot, row_id) in (marks or {}),  # ticked 否 by the reviewer who returned it
            # and a picture put here since: the candidate has answered the mark
            "replaced": (slot, row_id) in (marks or {}) and any(
                image.uploaded_at > marks[(slot, row_id)][2] for image in found),
            "missing": required and not found,  # 缺: asked for and not yet uploaded
            # Not asked for (any longer): drawn only to show and delete what it still holds, no upload.
            "not_needed": not needed,
            "note": note,  # why none is needed, where a field says so (执业变更情况为“无”时无需上传)
            "guide": guide if guide is not None else SLOT_GUIDES.get(slot),  # the manual's 注意事项 and 示例图片
            # 正在识别: the slot asks for itself again until the reading's warning can show
            "reading_awaited": any(image.reading_awaited for image in found)}


def row_slot(table, row, index, images, marks=None):
    """The 📷 slot of one saved row (at `index` in its table's order), shown with its row in its section."""
    return _slot(table.slot, table.describe(row, index), images, row.pk, required=table.needs_images(row), marks=marks)


NOT_NEEDED_SUFFIX = "（无需上传，可删除）"


def image_slots(application, images=None):
    """The 📷 slots not tied to a row the form draws: those completeness draws (form_field_slots: the
    证件类型's images, the 执业类别/执业注册范围 only of a nurse or a physician), labelled and guided as
    it has them; and, in the form's order with them, one whose field says 无, saying so (no picker), and
    a slot no longer asked for that still holds images (the 证件类型 or the qualification changed since):
    what either holds can be seen and deleted."""
    images = images if images is not None else images_by_slot(application)
    drawn = {form_slot.slot: form_slot for form_slot in form_field_slots(application)}
    unneeded = unneeded_field_slots(application)
    marks = review_marks(application)
    slots = []
    for slot in FIELD_SLOTS:
        if slot in drawn:
            slots.append(_slot(slot, drawn[slot].label, images, required=drawn[slot].required,
                               guide=slot_guide(application, slot), marks=marks))
        elif slot in unneeded:
            slots.append(_slot(slot, slot.label, images, required=False, needed=False, note=unneeded[slot]))
        elif images.get((slot, None)):
            slots.append(_slot(slot, f"{slot.label}{NOT_NEEDED_SUFFIX}", images, required=False, needed=False))
    return slots


def _attach_row_slots(application, formsets, images=None):
    """Each saved row of a 📷 table carries its slot, so the row shows and takes its own images."""
    if not any(fs.table.slot for fs in formsets):
        return
    images = images if images is not None else images_by_slot(application)
    marks = review_marks(application)
    for fs in formsets:
        if fs.table.slot:
            for index, form in enumerate(fs.forms):
                if form.instance.pk:
                    form.image_slot = row_slot(fs.table, form.instance, index, images, marks)


def slot_of(application, slot, row_id):
    """One slot as the form shows it (after an upload or a deletion in it), or None."""
    slot, images = ImageSlot(slot), images_by_slot(application)
    if row_id is None:
        return next((s for s in image_slots(application, images) if s["slot"] == slot), None)
    table = BY_SLOT.get(slot)
    if table is None:  # a row id posted for a slot of the form itself (ID card, photo): no such slot
        return None
    rows = list(table.rows(application))
    index = next((i for i, row in enumerate(rows) if row.pk == row_id), None)
    return None if index is None else row_slot(table, rows[index], index, images, review_marks(application))


def section_title(section) -> str:
    return {"basic": "基本信息", "declaration": "申报信息及现有资格"}.get(section) or ROW_SECTION_TITLES[section]


def gap_anchor(gap) -> str:
    """Where the form asks for what a gap lacks: a missing image's 📷 slot (_slot.html's id), else its section."""
    return f"img-{gap.slot}-{gap.row_id or ''}" if gap.slot else f"section-{gap.section}"


def status_context(application):
    """The section index (each part 已完成 or 尚需补全) and the submit box: both follow every save and upload."""
    found = gaps(application)
    counts = Counter(gap.section for gap in found)
    to_fill = Counter(gap.section for gap in found if not gap.to_check)
    # 待核对: carried over from last year, nothing missing, not yet saved this year.
    index = [{"anchor": f"section-{s}", "title": section_title(s), "count": counts[s], "done": not counts[s],
              "to_check": bool(counts[s]) and not to_fill[s]} for s in SECTIONS]
    index.append({"anchor": "images", "title": "证件图片", "count": counts["images"], "done": not counts["images"]})
    # Submitting follows the state alone: where 重新编辑填报信息 is withdrawn, a returned or
    # withdrawn form can still be handed in again as it is.
    windows = application.exam_year.windows(application.project)
    # Each 尚需补全 item links to where it is filled in: on a phone the slot is screens away.
    missing = [{"text": gap.message, "anchor": gap_anchor(gap)} for gap in found]
    return {"application": application, "index": index, "missing": missing,
            "submittable": application.state in State.editable_by_candidate(),
            "windows": windows, "form_closed": windows.form_closes < timezone.localdate()}


def upload_limits() -> dict:
    """What the browser's shrink before an upload (candidate.js) mirrors of the server's rule, given to
    the page (the 证件图片 panel's data- attributes) so that both read the one source: the size a
    picture is stored at (images.stored_size), the pixels any file may have decoded in full, the bytes."""
    return {"stored_max_side": image_rules.STORED_MAX_SIDE, "stored_short_side": image_rules.STORED_SHORT_SIDE,
            "stored_max_pixels": image_rules.STORED_MAX_PIXELS,
            "max_pixels": settings.IMAGE_MAX_PIXELS_FULL_DECODE, "max_bytes": settings.IMAGE_MAX_BYTES}


def page_context(application, overrides=None):
    overrides = overrides or {}
    dicts, images = YearDicts(application.exam_year), images_by_slot(application)
    sections = [overrides.get(s) or section_context(application, s, dicts=dicts, images=images)
                for s in SECTIONS]
    refusal = edit_refusal(application.candidate, application)
    return {**status_context(application), "sections": sections, "slots": image_slots(application, images),
            "upload_limits": upload_limits(),
            # How long the login lasts without a request (typing sends none): the page warns before it ends.
            "session_seconds": settings.SESSION_COOKIE_AGE,
            "not_found_message": NOT_FOUND_MESSAGE, "year": application.exam_year,
            "carried": carried_from(application) if application.state == State.DRAFT else None,
            "editable": refusal is None,
            # 重新编辑填报信息 withdrawn (配置角色权限): said at the top, not only by absent buttons.
            "edit_withdrawn": refusal.messages[0] if refusal is not None and refusal.code == "function" else ""}


@require_GET
def form_status(request):
    """The index and (out of band) the submit box, fetched again after each save and upload (htmx)."""
    application = current_application(request.user)
    return render(request, "candidate/form/_status.html", {**status_context(application), "oob": True})


# The session's note of an upload refused without scripts (uploads.image_upload), for the page it redirects to.
UPLOAD_REFUSAL = "upload_refusal"


def _drawn_slots(context):
    """Every 📷 slot the page draws: the 证件图片 panel's and those of the sections' saved rows."""
    yield from context["slots"]
    for section in context["sections"]:
        for formset in section["formsets"]:
            yield from (form.image_slot for form in formset.forms if getattr(form, "image_slot", None))


def _show_upload_refusal(request, context) -> None:
    """The reason an upload without scripts was refused, at its slot (the redirect's anchor), as a script's
    upload says it there; at the page's top if the slot is no longer drawn."""
    refusal = request.session.pop(UPLOAD_REFUSAL, None)
    if not refusal:
        return
    found = next((slot for slot in _drawn_slots(context)
                  if slot["slot"] == refusal["slot"] and slot["row_id"] == refusal["row_id"]), None)
    if found is None:
        messages.error(request, refusal["message"])
    else:
        found["error"] = refusal["message"]


@require_GET
def form_page(request):
    application = current_application(request.user, create=True)
    context = page_context(application)
    _show_upload_refusal(request, context)
    return render(request, "candidate/form.html", context)


def _posted_section_version(request) -> int | None:
    """The section's saves its page showed. A page of ours always posts it; a client that does not
    (none of ours) saves unchecked, its own application's section being all it could overwrite."""
    shown = request.POST.get("section_version")
    return None if shown is None else posted_version(shown)


# The session's last save of each section that went through: {section: [save token, the section's saves
# the page posted, the section's saves that save made]}. candidate.js gives each attempt at saving a section
# a token, kept until an answer comes: a save whose answer was lost on a slow network (the page timed out,
# the server had saved it) is tapped again with the same token, and with the page's section_version, now
# stale by that save alone.
SAVE_TOKENS = "section_save_tokens"
SAVE_TOKEN = re.compile(r"[0-9a-f]{16,64}")


def _save_token(request) -> str:
    token = request.POST.get("save_token", "")
    return token if SAVE_TOKEN.fullmatch(token) else ""


def _retried_save(request, section, shown: int | None) -> list | None:
    """This session's last save of the section when this save is its retry (same token, same page), else None.
    The section's saves a retry is checked against are those that save made (its third item): the service
    still compares them with the locked row's, so anything saved since (another tab, another device) refuses
    the retry as stale, as it would have refused the page."""
    token = _save_token(request)
    last = request.session.get(SAVE_TOKENS, {}).get(section)
    if token and shown is not None and last and last[0] == token and last[1] == shown:
        return last
    return None


# A retry that adds or removes rows is not saved again: its new rows, posted again without an id, would be
# added a second time (the first save added them), and its removed rows are gone.
ROWS_RETRY_MESSAGE = ("刚才的保存已经完成，只是网络未及时返回结果。本部分有新增或删除的行，为免重复保存，"
                      "请刷新页面核对本部分，如需修改再保存。")


def _adds_or_removes_rows(formsets) -> bool:
    return any(fs.deleted_forms or any(not row.instance.pk and row.has_changed() for row in fs.forms)
               for fs in formsets)


def _remember_save(request, section, shown: int | None, application) -> None:
    token = _save_token(request)
    if token and shown is not None:
        request.session[SAVE_TOKENS] = {**request.session.get(SAVE_TOKENS, {}),
                                         section: [token, shown, application.section_versions[section]]}


@require_POST
def section_save(request, section):
    if section not in SECTIONS:
        raise Http404
    application = current_application(request.user)
    if section == "basic" and "send_code" in request.POST:
        return _send_code_without_scripts(request, application)
    form, formsets = _forms(application, section, request.POST)
    valid = (form is None or form.is_valid()) and all(fs.is_valid() for fs in formsets)
    section_version = _posted_section_version(request)
    saved, error_message = False, ""
    retried = _retried_save(request, section, section_version) if valid else None
    if retried and _adds_or_removes_rows(formsets):
        error_message = ROWS_RETRY_MESSAGE  # what is typed stays on the page as it is
    elif valid:
        chsi = section == "education"
        try:
            saved_application = workflow_services.application_section_save(
                actor=request.user, application_id=application.pk, section=section,
                expected_version=posted_version(request.POST.get("version")),
                section_version=retried[2] if retried else section_version,
                form=None if chsi else form, values={"chsi_code": form.cleaned_data["chsi_code"]} if chsi else None,
                formsets=[(fs, fs.table.slot, fs.table.filter) for fs in formsets], request=request)
            saved = True
            _remember_save(request, section, section_version, saved_application)
        except ValidationError as error:
            if form is not None and hasattr(error, "error_dict") and error.error_dict.keys() <= form.fields.keys():
                # Refused on the locked row for one field (a number taken meanwhile): said at it.
                form.add_error(None, error)
                valid = False
            else:
                error_message = error.messages[0]
        application.refresh_from_db()
        if saved:
            # The machine reading's flags, which 进度跟踪 counts, follow the typed values (a GET stores none).
            ocr.flags_store(application)
            form, formsets = _forms(application, section)
    ctx = section_context(application, section, form, formsets, saved=saved,
                          section_version=None if saved else section_version)
    ctx["error"], ctx["refused"] = error_message, not valid
    if request.htmx:
        response = render(request, "candidate/form/section.html", {**ctx, "s": ctx})
        # Rows and choices decide which 📷 slots the form asks for: the panel, index and submit box follow.
        response["HX-Trigger"] = "section-saved"
        return response
    if saved:
        messages.success(request, f"“{ctx['title']}”已保存。")
        return redirect(reverse("candidate:form") + f"#section-{section}")
    return render(request, "candidate/form.html", page_context(application, {section: ctx}), status=200)


def _send_code_without_scripts(request, application):
    """获取验证码 posted with the whole section (no scripts): send, and show again what was typed."""
    ok, message, field = send_phone_code(request, application)
    typed = {name: request.POST.get(f"basic-{name}", "")
             for name in ("name", "ethnicity", "unit", "postcode", "phone", "address")}
    form = BasicForm(instance=application, prefix="basic", initial=typed)
    ctx = section_context(application, "basic", form, [], section_version=_posted_section_version(request))
    ctx["code"] = {"ok": ok, "message": message, "field": field}  # said where the script's answer goes
    return render(request, "candidate/form.html", page_context(application, {"basic": ctx}))


@require_GET
def cascade(request):
    """The five cascading selects, narrowed by what is chosen so far (htmx)."""
    application = current_application(request.user)
    form = DeclarationForm(request.GET, instance=application, year=application.exam_year, prefix="decl")
    # Bound only to narrow the choices: this is not a save, so nothing is validated and no field the
    # candidate has not reached yet is marked red (an empty error list stops the form's full_clean).
    form._errors = ErrorDict()
    return render(request, "candidate/form/_cascade.html", {"form": form})


@require_GET
def unit_search(request):
    current_application(request.user)
    query = request.GET.get("q", "")
    units = list(search_units(query)) if query.strip() else Org.objects.none()
    return render(request, "candidate/form/_unit_results.html",
                  {"units": units, "query": query, "not_found_message": NOT_FOUND_MESSAGE})


@require_http_methods(["GET", "POST"])
def unit_request(request):
    application = current_application(request.user)
    # The name searched for, from the search's 申请添加单位 link, to start from.
    form = UnitRequestForm(request.POST or None, initial={"full_name": request.GET.get("name", "")[:100]})
    if request.method == "POST" and form.is_valid():
        # The requests filed count (each lands in a 报名点's queue and is answered by SMS), not the
        # posts a message sent back to be corrected.
        who = ratelimit.user_or_address(request)
        if (wait := ratelimit.spent("unit_request", who)) is not None:
            return ratelimit.response_for(request, ratelimit.RateLimited(
                "unit_request", wait, f"今日提交的单位添加申请已达上限，请{-(-wait // 3600)}小时后再试。"))
        try:
            unit_request_create(actor=request.user, full_name=form.cleaned_data["full_name"],
                                region_code=form.cleaned_data["region_code"], request=request)
        except ValidationError as error:
            form.add_error(None, error)  # a field's error under its field
        else:
            ratelimit.hit("unit_request", who)
            messages.success(request, "单位添加申请已提交，报名点审核添加后即可在字典中搜索到。")
            return redirect(reverse("candidate:form") + "#section-basic")
    return render(request, "candidate/unit_request.html", {"form": form, "application": application})


@require_GET
def images_panel(request):
    application = current_application(request.user)
    return render(request, "candidate/form/_images.html",
                  {"slots": image_slots(application), "application": application, "upload_limits": upload_limits(),
                   "editable": may_edit(request.user, application)})
