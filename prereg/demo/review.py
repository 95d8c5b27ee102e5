"""Demo review progress: applications waiting at every stage, returned, awaiting 汇总提交, approved.

Moves the demo applications with the same services the reviewers' pages call, so the review log,
the audit log, the notices and the SMS outbox look as they would after real work. Idempotent:
an application that has any decision already is left alone.
"""

from prereg.applications import review, services
from prereg.applications.models import Application, ReviewAction, ReviewLog, Stage, State

# application index in context["applications"] -> what happens to it: the stage it waits at, or
# one of the outcomes below
PLAN = {
    1: Stage.UNIT_REVIEW,       # 安溪县医院: waits for 单位审查 (35052401)
    5: Stage.POINT_CONFIRM,     # 安溪县医院: waits for 报名点确认 (350524)
    2: Stage.SITE_REVIEW,       # 福州市第一医院: waits for 考点审核 (350100)
    3: "returned",              # 连江县医院: returned to the candidate by its unit
    6: Stage.DISTRICT_RECHECK,  # 龙岩: forwarded by 350800, waits for 考区复核 (350000)
    7: "approved",              # 福能总医院: 审核通过 at the 考区 (awaiting the 考区's 汇总提交)
    4: "awaiting_forward",      # 福建省立医院: approved by 350000 as 考点, awaiting its 汇总提交
}


def _reviewer(staff, application):
    org_id = application.org_id_at(application.stage)
    return next(u for u in staff if u.org_id == org_id and u.is_reviewer)


def _approve(application, staff, opinion=""):
    application = Application.objects.get(pk=application.pk)
    reviewer = _reviewer(staff, application)
    for field in review.check_fields(application, with_images=False):
        services.field_check_set(actor=reviewer, application_id=application.pk, field=field.key, consistent=True)
    application.refresh_from_db()
    return services.application_approve(actor=reviewer, application_id=application.pk,
                                        expected_version=application.version, opinion=opinion,
                                        national_done=True)


def _advance_to(application, staff, target):
    while True:
        application = Application.objects.get(pk=application.pk)
        if application.state != State.IN_REVIEW or application.stage == target:
            return application
        if application.awaiting_forward:
            reviewer = _reviewer(staff, application)
            services.summary_submit(actor=reviewer, stage=application.stage)
            continue
        _approve(application, staff)


def seed(context):
    staff, applications = context["staff"], context["applications"]
    for index, goal in PLAN.items():
        if index >= len(applications):
            continue
        application = Application.objects.get(pk=applications[index].pk)
        if application.state != State.IN_REVIEW or ReviewLog.objects.filter(
                application=application).exclude(action=ReviewAction.SUBMIT).exists():
            continue
        if isinstance(goal, Stage):
            _advance_to(application, staff, goal)
        elif goal == "returned":
            reviewer = _reviewer(staff, application)
            services.application_reject(actor=reviewer, application_id=application.pk,
                                        expected_version=application.version,
                                        reason="身份证反面照片不清晰，请重新上传。", to="candidate")
        elif goal == "approved":
            application = _advance_to(application, staff, Stage.DISTRICT_RECHECK)
            _approve(application, staff, opinion="复核通过")
        elif goal == "awaiting_forward":
            application = _advance_to(application, staff, Stage.SITE_REVIEW)
            _approve(application, staff, opinion="资格审核通过")
