"""What the audit log's viewer and export call each event and each kind of object, in Chinese.

The codes stay what the log stores (and what the filter takes); an auditor reads the label beside
them. A code missing here is shown as it is. The details are read in details.py.
"""

from django.apps import apps

EVENT_LABELS = {
    "access.denied": "越权访问被拒绝",
    "access.not_found": "访问不存在或无权查看的对象",
    "account.candidate_password_reset": "重置考生密码",
    "account.candidate_phone_change": "更正考生手机号码",
    "account.candidate_phone_change.phone_taken": "更正考生手机号码被拒绝（号码已被其他考生账号使用）",
    "account.candidate_search": "查询考生",
    "account.candidate_view": "查看考生信息",
    "account.create": "新增账号",
    "account.enable": "启用账号",
    "account.disable": "禁用账号",
    "account.export": "导出账号（导入模板）",
    "account.import": "批量导入账号",
    "account.password_change": "修改密码",
    "account.password_recover": "找回密码",
    "account.password_recover_code": "找回密码：获取验证码",
    "account.password_reset": "重置密码",
    "account.profile_complete": "完善个人信息",
    "account.profile_update": "修改个人信息",
    "account.signup": "考生注册",
    "account.unlock": "解锁账号（解除锁定）",
    "account.update": "更正账号信息",
    "account.update.phone_taken": "更正账号信息被拒绝（手机号码已被其他账号使用）",
    "announcement.create": "新增通知公告",
    "announcement.update": "修改通知公告",
    "announcement.publish": "发布通知公告",
    "announcement.withdraw": "撤回通知公告",
    "application.start": "开始填报",
    "application.section_save": "保存填报信息",
    "application.submit": "提交报名信息",
    "application.withdraw": "撤回报名信息",
    "application.approve": "审核同意",
    "application.reject_previous": "不同意（退回上一环节）",
    "application.reject_candidate": "不同意（退回考生）",
    "application.recall": "撤办",
    "application.forward": "汇总提交（单条）",
    "application.edit": "修改填报信息",
    "application.edit.values": "修改填报信息（修改内容）",
    "application.edit.id_number_taken": "修改填报信息被拒绝（证件编号已被其他考生使用）",
    "application.reroute": "调整审核机构",
    "application.field_check": "核对与原件是否一致",
    "application.view": "查看报名信息（审核页面）",
    "application.summary_submit": "汇总提交",
    "audit.export": "导出审计日志",
    "auth.lockout": "账号锁定",
    "auth.login": "登录",
    "auth.login_failed": "登录失败",
    "auth.login_refused": "拒绝登录（密码正确，但账号、机构已禁用或一次性密码已失效等）",
    "auth.logout": "退出登录",
    "catalogue.entry_update": "修改年度字典条目",
    "catalogue.import": "导入年度字典",
    "confirmation.print": "打印审核确认单",
    "confirmation.verify": "核验审核确认单",
    "cross_review.assign": "分配交叉审核",
    "cross_review.revoke": "取消交叉审核分配",
    "eligibility_rules.import": "导入资格规则",
    "exam_project.add": "新增考试项目",
    "exam_project.update": "修改考试项目",
    "exam_year.open": "开启新年度",
    "exam_year.update": "修改年度设置",
    "export.abandoned": "导出任务中断",
    "export.deleted": "删除导出文件",
    "export.download": "下载导出文件",
    "export.expired": "导出文件过期删除",
    "export.failed": "导出失败",
    "export.finished": "导出完成",
    "export.requested": "申请导出",
    "image.add": "上传图片",
    "image.delete": "删除图片",
    "image.files_purged": "清理已删除图片文件",
    "image.view": "查看图片",
    "org.create": "新增机构",
    "org.delete": "删除机构",
    "org.enable": "启用机构",
    "org.export": "导出组织机构",
    "org.disable": "禁用机构",
    "org.import": "批量导入机构",
    "org.update": "修改机构",
    "org.unit_request": "单位添加申请",
    "org.unit_request_resolve": "处理单位添加申请",
    "password_sheet.reveal": "查看新年度账号密码",
    "permission.change": "配置角色权限",
    "reconcile.export": "导出国网名单核对结果",
    "reconcile.reminder_sent": "提醒国网未报名考生",
    "reconcile.roster_imported": "导入国网名单",
    "reconcile.roster_uploaded": "上传国网名单",
    "reminder.sent": "提醒考生",
}


def event_label(code: str) -> str:
    return EVENT_LABELS.get(code, "")


def object_label(object_type: str) -> str:
    """"accounts.User" as its model calls itself (用户), or as stored for a model no longer there."""
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type
