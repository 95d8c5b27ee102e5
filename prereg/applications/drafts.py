"""Whether the candidate may change his draft now: the one rule that section saves, image uploads
and image deletions share (services.py and images.py both use it; it imports neither), and that the
form page asks to draw its 保存, 上传 and 删除 buttons (may_edit).
"""

from django.core.exceptions import PermissionDenied, ValidationError

from prereg.accounts.permissions import has_function

from .models import Application, State

STALE_PAGE_MESSAGE = "报名信息已在其他页面提交或撤回，请刷新页面后再修改。"
EDIT_WITHDRAWN_MESSAGE = "“重新编辑填报信息”功能已关闭：报名信息提交过后不能再修改，可以直接重新提交。"


def edit_refusal(actor, application) -> ValidationError | None:
    """Why `actor` may not change `application` now, or None: it is under review or approved; or it
    was submitted before (then returned or withdrawn) and his role no longer holds 重新编辑填报信息
    (配置角色权限). A draft never submitted is filled in whatever that cell says."""
    if application.state not in State.editable_by_candidate():
        return ValidationError(f"报名信息已提交审核，当前不能修改（当前状态：{application.get_state_display()}）；"
                               "如需修改请先撤回。", code="state")
    if application.submission_round and not has_function(actor, "edit_own_application"):
        return ValidationError(EDIT_WITHDRAWN_MESSAGE, code="function")
    return None


def may_edit(actor, application) -> bool:
    """The form page's buttons: shown exactly when check_editable would let the change through (but
    for a stale page, which the page cannot know of itself)."""
    return edit_refusal(actor, application) is None


def check_editable(actor, application, expected_version: int | None = None) -> None:
    """Refuse unless `application` is the actor's, editable (edit_refusal), and still as his page showed it.

    The page carries the version it was loaded with: a submit, a withdrawal or a return since (another
    tab, a double tap) changes it, and a change from that page must not write over what was decided,
    nor into a form returned to him that he has not seen. A post without a version, or with a garbled
    one, reaches here as a version no application has (prereg.core.versions), so it is refused as
    stale. None is for callers that show no page (demo data, tests): owner and state are checked.
    """
    if application.candidate_id != actor.pk:
        raise PermissionDenied("只能修改本人的报名信息。")
    refusal = edit_refusal(actor, application)
    if refusal is not None:
        raise refusal
    if expected_version is not None and application.version != expected_version:
        raise ValidationError(STALE_PAGE_MESSAGE, code="version")


def lock_editable(actor, application_id: int, expected_version: int | None = None) -> Application:
    """The application row-locked, once `check_editable` allows the change (call inside a transaction)."""
    application = Application.objects.select_for_update().get(pk=application_id)
    check_editable(actor, application, expected_version)
    return application
