"""Whether the candidate may change his draft now: the one rule that section saves, image uploads
and image deletions share (services.py and images.py both use it; it imports neither).
"""

from django.core.exceptions import PermissionDenied, ValidationError

from .models import Application, State

STALE_PAGE_MESSAGE = "报名信息已在其他页面提交或撤回，请刷新页面后再修改。"


def check_editable(actor, application, expected_version: int | None = None) -> None:
    """Refuse unless `application` is the actor's, editable, and still as his page showed it.

    The page carries the version it was loaded with: a submit, a withdrawal or a return since (another
    tab, a double tap) changes it, and a change from that page must not write over what was decided,
    nor into a form returned to him that he has not seen. A post without a version, or with a garbled
    one, reaches here as a version no application has (prereg.core.versions), so it is refused as
    stale. None is for callers that show no page (demo data, tests): owner and state are checked.
    """
    if application.candidate_id != actor.pk:
        raise PermissionDenied("只能修改本人的报名信息。")
    if application.state not in State.editable_by_candidate():
        raise ValidationError(f"报名信息已提交审核，当前不能修改（当前状态：{application.get_state_display()}）；"
                              "如需修改请先撤回。", code="state")
    if expected_version is not None and application.version != expected_version:
        raise ValidationError(STALE_PAGE_MESSAGE, code="version")


def lock_editable(actor, application_id: int, expected_version: int | None = None) -> Application:
    """The application row-locked, once `check_editable` allows the change (call inside a transaction)."""
    application = Application.objects.select_for_update().get(pk=application_id)
    check_editable(actor, application, expected_version)
    return application
