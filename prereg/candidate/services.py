"""The candidate's own acts that are not workflow transitions: sign-up and saving a section.

Workflow acts (submit, withdraw) are prereg.applications.services; images are
prereg.applications.images. Each function here checks, writes and audits in one transaction.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from prereg.accounts.models import Role
from prereg.applications import services as workflow_services
from prereg.applications.images import images_for_row_delete
from prereg.applications.models import Application, State
from prereg.audit.log import record
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


def _lock_editable(actor, application_id, expected_version):
    """The application row-locked, if the candidate may still change it as his page showed it.

    The page carries the version it was loaded with: a submit or a withdraw since (another tab, a
    double tap) changes it, and a save from that page must not write over what was decided.
    """
    application = workflow_services.lock(application_id)
    if application.candidate_id != actor.pk:
        raise PermissionDenied("只能修改本人的报名信息。")
    if application.state not in State.editable_by_candidate():
        raise ValidationError("报名信息已提交审核，当前不能修改；如需修改请先撤回。", code="state")
    if expected_version is not None and application.version != expected_version:
        raise ValidationError("报名信息已在其他页面提交或撤回，请刷新页面后再修改。", code="version")
    return application


def _form_columns(form) -> list[str]:
    """The application columns a section form sets (its model fields that it cleaned)."""
    return [f.name for f in Application._meta.concrete_fields if f.name in form.cleaned_data]


@transaction.atomic
def application_section_save(*, actor, application_id: int, section: str, expected_version: int | None = None,
                             form=None, values=None, formsets=(), request=None) -> Application:
    """Save one section on the locked row: its form's columns, plain `values`, and its row formsets.

    Only the section's own columns are written (a save never writes state, stage or version), after
    the row lock and the editable check, so a save racing a submit either lands before it or is
    refused after it.
    """
    application = _lock_editable(actor, application_id, expected_version)
    changed = []
    details = {"section": section}
    columns = dict(values or {})
    if form is not None:
        changed += list(form.changed_data)
        # The form was validated against the page's copy; its cleaned columns go onto the locked row.
        columns.update({name: getattr(form.instance, name) for name in _form_columns(form)})
    if columns:
        changed += [name for name, value in (values or {}).items() if getattr(application, name) != value]
        for name, value in columns.items():
            setattr(application, name, value)
        application.derive_from_id_number()
        application.save(update_fields=[*columns, "birth_date", "gender", "updated_at"])
    if form is not None and "phone" in form.changed_data and application.phone and actor.phone != application.phone:
        # The new number was confirmed by its SMS code (BasicForm): it is the account's now,
        # so a forgotten password is reset through the phone the candidate has.
        actor.phone = application.phone
        actor.save(update_fields=["phone"])
        details["account_phone"] = True
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
    record("application.section_save", actor=actor, obj=application, request=request,
           details={**details, "changed": sorted(set(changed))})
    return application


