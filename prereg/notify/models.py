"""SMS outbox and codes, in-app notices, and the SMS reminders sent to candidates."""

from django.conf import settings
from django.db import models
from django.db.models import Q

# What each SMS is for, as the outbox page names it (the purposes the apps send with).
PURPOSE_LABELS = {"signup": "注册验证码", "password_reset": "找回密码", "phone_change": "更换手机号码",
                  "staff_phone": "审核人员更换手机号码", "returned": "退回通知", "reminder": "提醒考生",
                  "unit_request": "单位添加申请结果", "phone_changed": "手机号码更正通知",
                  "staff_phone_changed": "审核人员手机号码更正通知"}


class SmsMessage(models.Model):
    """Every SMS the system sends, whatever the backend (the outbox page shows them in demo mode)."""

    phone = models.CharField(max_length=20, db_index=True)
    text = models.CharField(max_length=500)
    # The text once a gateway has delivered it, the code or password it carries starred out: what
    # the message is for stays on record, the secret not (a verification code is stored hashed).
    delivered_text = models.CharField(max_length=500, blank=True)
    purpose = models.CharField(max_length=30)
    backend = models.CharField(max_length=60)
    delivered = models.BooleanField(default=False)
    error = models.CharField(max_length=200, blank=True)  # the gateway's last refusal, or why it was given up
    # The row is the delivery queue's truth (prereg.notify.tasks): the message is due for an attempt at
    # `next_try_at` (empty once delivered or given up), and `attempts` calls of the gateway have begun.
    attempts = models.PositiveSmallIntegerField(default=0)
    next_try_at = models.DateTimeField(null=True, blank=True)
    # The verification code it carries: never sent once that code is spent or expired.
    code = models.ForeignKey("SmsCode", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "短信"
        ordering = ["-created_at"]
        # The sweep's question, "which messages are due", over the few not yet settled.
        indexes = [models.Index(fields=["next_try_at"], condition=Q(next_try_at__isnull=False),
                                name="notify_sms_due_idx")]

    @property
    def purpose_label(self) -> str:
        return PURPOSE_LABELS.get(self.purpose, self.purpose)


class SmsCode(models.Model):
    """A one-time verification code: 6 digits, hashed, single use, short life."""

    phone = models.CharField(max_length=20, db_index=True)
    purpose = models.CharField(max_length=30)  # signup, password_reset, phone_change
    code_hash = models.CharField(max_length=128)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    client_ip = models.CharField(max_length=45, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "短信验证码"


class Notice(models.Model):
    """An in-app notice to one user (e.g. an application he handled was returned)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    title = models.CharField(max_length=100)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=200, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "消息通知"
        ordering = ["-created_at"]


class ReminderKind(models.TextChoices):
    DRAFT = "draft", "未提交"
    RETURNED = "returned", "已退回"
    NATIONAL = "national", "国网未报名"  # 国网名单核对: submitted here, missing from the 国网 roster


class Reminder(models.Model):
    """One SMS reminder to one candidate about his application; at most reminders.REMINDERS_PER_YEAR
    per candidate and exam year, counted with RosterReminder.

    Moved here from the exports app: the table keeps its name, so the rows stay where they were."""

    candidate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    exam_year = models.ForeignKey("catalog.ExamYear", on_delete=models.PROTECT, related_name="+")
    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE,
                                    related_name="reminders")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sms = models.ForeignKey(SmsMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "exports_reminder"
        verbose_name = "考生提醒"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["candidate", "exam_year"])]


class RosterReminder(models.Model):
    """A reminder of 国网名单核对 sent to someone with no application here this year (so no Reminder
    row can hold it): the roster's phone, or the phone of his account. Counted with Reminder
    against the limit per candidate (ID number) and year.

    Moved here from the reconcile app: the table keeps its name, so the rows stay where they were."""

    exam_year = models.ForeignKey("catalog.ExamYear", on_delete=models.PROTECT, related_name="+")
    id_number = models.CharField(max_length=30)  # normalised like reconcile.RosterRow.id_number
    candidate = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sms = models.ForeignKey(SmsMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "国网名单提醒"
        db_table = "reconcile_rosterreminder"
        indexes = [models.Index(fields=["exam_year", "id_number"])]
