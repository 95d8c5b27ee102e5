"""The candidate's own acts that are not workflow transitions: sign-up and saving a section.

Workflow acts (submit, withdraw) are prereg.applications.services; images are
prereg.applications.images. Each function here checks, writes and audits in one transaction.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from prereg.accounts.models import Role
from prereg.applications import rowtext
from prereg.applications.images import ROW_SLOTS, images_for_row_delete
from prereg.applications.models import State
from prereg.audit.log import record
from prereg.core.validators import parse_id_number
from prereg.notify.sms import verify_code


def candidate_signup(*, name, id_type, id_number, phone, sms_code, password, request=None):
    """One account per ID number; the ID number is the login name."""
    verify_code(phone, "signup", sms_code)
    User = get_user_model()
    try:
        with transaction.atomic():
            user = User(username=id_number, id_number=id_number, id_type=id_type, name=name, phone=phone,
                        role=Role.CANDIDATE, profile_completed=True)
            user.set_password(password)
            user.save()
            record("account.signup", actor=user, obj=user, request=request, details={"id_type": id_type})
    except IntegrityError:
        raise ValidationError({"id_number": "该证件编号已注册，每个证件只能注册一个账号。"}) from None
    return user


def _editable(actor, application):
    if application.candidate_id != actor.pk:
        raise PermissionDenied("只能修改本人的报名信息。")
    if application.state not in State.editable_by_candidate():
        raise ValidationError("报名信息已提交审核，当前不能修改；如需修改请先撤回。")


def fill_from_id(application):
    """Birth date and gender are read from a resident ID number, never typed."""
    if application.id_type == "resident" and application.id_number:
        try:
            facts = parse_id_number(application.id_number)
        except ValidationError:
            return
        application.birth_date = facts.birth_date
        application.gender = facts.gender


@transaction.atomic
def application_section_save(*, actor, application, section: str, form=None, formsets=(), request=None):
    """Save one section: its form on the application and/or its row formsets, rows renumbered."""
    _editable(actor, application)
    changed = []
    details = {"section": section}
    if form is not None:
        changed += list(form.changed_data)
        form.save(commit=False)
        fill_from_id(application)
        application.save()
        if "phone" in form.changed_data and application.phone and actor.phone != application.phone:
            # The new number was confirmed by its SMS code (BasicForm): it is the account's now,
            # so a forgotten password is reset through the phone the candidate has.
            actor.phone = application.phone
            actor.save(update_fields=["phone"])
            details["account_phone"] = True
    with rowtext.kept_by_caller(application.pk):
        for formset, slot, extra in formsets:
            for row_form in formset.deleted_forms:
                if row_form.instance.pk:
                    if slot:
                        images_for_row_delete(application, slot, row_form.instance.pk)
                    row_form.instance.delete()
                    changed.append("row-")
            order = 0
            for row_form in formset.forms:
                if row_form in formset.deleted_forms or not row_form.has_changed() and not row_form.instance.pk:
                    continue
                row = row_form.save(commit=False)
                row.application = application
                for key, value in extra.items():
                    setattr(row, key, value)
                row.order = order
                order += 1
                row.save()
                if row_form.has_changed():
                    changed.append("row")
    if formsets:
        # The full-record export reads these cells instead of the rows (applications.rowtext).
        rowtext.refresh(application, sources={rowtext.source_of(formset.model) for formset, _slot, _extra in formsets})
    record("application.section_save", actor=actor, obj=application, request=request,
           details={**details, "changed": sorted(set(changed))})
    return application


__all__ = ["ROW_SLOTS", "application_section_save", "candidate_signup", "fill_from_id"]
