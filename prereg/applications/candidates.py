"""考生信息管理: a reviewer's acts on the accounts of the candidates whose applications he handles.

Which candidates those are is a question about applications (selectors.candidates_visible_to), so
these acts live here, above accounts, and change the account through its building blocks. Each
fetches the candidate within the actor's scope (else 404), acts and audits in one transaction; each act
holds the actor's own account first (accounts.services.actor_held), as the application acts do, so that
a 禁用 of it waits for an act under way or refuses the act.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404

from prereg.accounts import permissions
from prereg.accounts.backends import (
    PHONE_CHANGED_PURPOSE,
    PHONE_TAKEN_MESSAGE,
    candidate_phone_changed_text,
    one_time_password_ttl_hours,
    phone_taken,
)
from prereg.accounts.models import Role, User
from prereg.accounts.services import actor_held, reset_login_failures, set_one_time_password, valid_phone
from prereg.audit.log import record
from prereg.core.masking import mask_phone
from prereg.core.validators import normalize_id_number, searched_name
from prereg.notify.sms import send_sms

from .selectors import candidates_visible_to

# 更正手机号码 hands the account's recovery (找回密码, a password reset) to the new number without a code from it:
# done at the 报名点 and above, where candidates confirm on site with their ID documents, not at the 单位 (its
# 1-2 staff; security probe: a 单位 reviewer took a draft candidate's account over by correcting the phone to
# his own and resetting the password). The 单位 still unlocks and resets to the registered number. Nor the
# sysadmin, who runs the system, not candidates' data (docs/security.md): with the correction and a reset he
# could take any candidate's account (security probe F1); he unlocks and resets to the registered number.
PHONE_CORRECTORS = (Role.DISTRICT, Role.SITE, Role.POINT)


def may_correct_phone(actor) -> bool:
    return actor.role in PHONE_CORRECTORS


def get_candidate_for(actor, pk, *, lock=False) -> User:
    """The candidate in the actor's scope (else 404); with `lock`, his row locked and read afresh: an act that
    sends to his phone or changes it waits for another's change of it (race probe: a reset committed after a
    concurrent 更正手机号码 texted the one-time password to the number just removed)."""
    permissions.require_function(actor, "manage_candidates")
    user = candidates_visible_to(actor).filter(pk=pk).first()
    if user is None:
        raise Http404("考生不存在或不在您的管辖范围内。")
    return User.objects.select_for_update(no_key=True).get(pk=user.pk) if lock else user


@transaction.atomic
def candidate_open(*, actor, pk, request=None) -> User:
    """考生信息管理: open a candidate's account page (his phone is on it); audited like each act."""
    candidate = get_candidate_for(actor, pk)
    record("account.candidate_view", actor=actor, obj=candidate, request=request)
    return candidate


@transaction.atomic
def candidate_search(*, actor, query: str, request=None, limit: int = 50) -> list[User]:
    """考生信息管理: find candidates in the actor's scope by ID number, phone or name; audited
    (the query kept masked by the audit log)."""
    permissions.require_function(actor, "manage_candidates")
    scope = candidates_visible_to(actor)
    found = list(scope.filter(Q(id_number=normalize_id_number(query)) | Q(phone=query) | Q(name=searched_name(query)))[:limit])
    record("account.candidate_search", actor=actor, request=request, details={"q": query, "found": len(found)})
    return found


@transaction.atomic
def candidate_unlock(*, actor, candidate: User, request=None) -> int:
    actor_held(actor)
    candidate = get_candidate_for(actor, candidate.pk)
    count = reset_login_failures(candidate.username)
    record("account.unlock", actor=actor, obj=candidate, request=request, details={"attempts_cleared": count})
    return count


@transaction.atomic
def candidate_reset_password(*, actor, candidate: User, request=None) -> None:
    """A one-time password sent to the candidate's registered phone (never shown to the reviewer)."""
    actor_held(actor)
    candidate = get_candidate_for(actor, candidate.pk, lock=True)
    if not candidate.phone:
        raise ValidationError("该考生没有登记手机号码，请先更正手机号码。")
    password = set_one_time_password(candidate)
    reset_login_failures(candidate.username)
    send_sms(candidate.phone, f"【{settings.SITE_NAME}】您的登录密码已重置为{password}，"
                              f"{one_time_password_ttl_hours():g}小时内有效，登录后须立即修改。如非本人申请请联系报名点。",
             purpose="password_reset", secret=password)
    record("account.candidate_password_reset", actor=actor, obj=candidate, request=request)


@transaction.atomic
def candidate_change_phone(*, actor, candidate: User, phone: str, request=None) -> bool:
    """更正手机号码 for a candidate who lost his (no code from the new number: he may not have it yet).

    The old number is told, since the new one is where 找回密码 and a reset password go from now on:
    a change the candidate did not ask for is reported by him, not found out after the account is lost.
    A one-time password not yet used was texted to the old number: it is voided, a reset sends one to the
    new. Returns whether one was voided.
    """
    actor_held(actor)
    candidate = get_candidate_for(actor, candidate.pk, lock=True)
    if not may_correct_phone(actor):
        raise PermissionDenied("更正手机号码请考生持身份证件到报名点办理。")
    phone = valid_phone(phone)
    if phone_taken(phone, by_other_than=candidate, lock=True):
        raise ValidationError({"phone": PHONE_TAKEN_MESSAGE})
    before = candidate.phone
    candidate.phone = phone
    voided = before != phone and candidate.must_change_password and candidate.one_time_password_set_at is not None
    if voided:
        candidate.set_unusable_password()
        candidate.one_time_password_set_at = None
    candidate.save(update_fields=["phone", "password", "one_time_password_set_at"])
    if before and before != phone:
        send_sms(before, candidate_phone_changed_text(phone, by=str(actor.org or "审核人员")),
                 purpose=PHONE_CHANGED_PURPOSE)
    record("account.candidate_phone_change", actor=actor, obj=candidate, request=request,
           details={"before": mask_phone(before), "after": mask_phone(phone)}
           | ({"one_time_password_voided": True} if voided else {}))
    return voided
