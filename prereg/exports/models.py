"""Export jobs (rosters, batch documents) run as background tasks (the reminders moved to notify)."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class ExportKind(models.TextChoices):
    APPLICATIONS = "applications", "考生信息"
    CONFIRMATIONS = "confirmations", "审核确认单（合并PDF）"
    IMAGES = "images", "证件图片压缩包"
    # One list of 国网名单核对, written by the reconcile app's task (prereg.reconcile.tasks).
    RECONCILE = "reconcile", "国网名单核对"


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", "Excel (xlsx)"
    CSV = "csv", "CSV"
    PDF = "pdf", "PDF"
    ZIP = "zip", "ZIP"


class ColumnSet(models.TextChoices):
    ROSTER = "roster", "花名册"
    FULL = "full", "完整信息"
    ELIGIBILITY = "eligibility", "资格审核"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"
    EXPIRED = "expired", "已过期"


class ExportJob(models.Model):
    """One export asked for by one user; its file lives under MEDIA_ROOT/exports/ until it expires."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs")
    kind = models.CharField("类型", max_length=20, choices=ExportKind.choices, default=ExportKind.APPLICATIONS)
    format = models.CharField("格式", max_length=10, choices=ExportFormat.choices, default=ExportFormat.XLSX)
    columns = models.CharField("列集合", max_length=20, choices=ColumnSet.choices, default=ColumnSet.ROSTER)
    # The filter as submitted (names of the pending queue), plus "ids" for an explicit selection;
    # of a 国网名单核对 list: the list, its roster ("upload") and the list's own filter (q, unit, diff).
    filters = models.JSONField("筛选条件", default=dict, blank=True)
    # Decided when the job is created (the owner's role then), so a later change of role or of
    # the permission table does not unmask a file already asked for masked.
    full_numbers = models.BooleanField("含完整证件号/手机号", default=False)
    # The address the job was asked from ("https://host/"): the worker has no request, and the QR
    # codes of merged 审核确认单 must be links a phone can open.
    site = models.CharField("站点地址", max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED,
                              db_index=True)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    row_count = models.PositiveIntegerField(null=True, blank=True)
    file = models.FileField(upload_to="exports/", max_length=200, blank=True)
    file_name = models.CharField("下载文件名", max_length=150, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Written every few seconds by the worker running the job (runner.heartbeat): a running job
    # whose beats stopped lost its worker, and is failed without waiting for the stale rule.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "导出任务"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def active(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    # A job no worker has taken after this long: its owner is told, rather than left watching 排队中 0%
    # (races probe: with the task workers stopped nothing said why). Taken, it starts in seconds.
    QUEUED_LONG = timedelta(minutes=2)

    @property
    def queued_long(self) -> bool:
        return self.status == ExportStatus.QUEUED and self.created_at <= timezone.now() - self.QUEUED_LONG

    @property
    def expired(self) -> bool:
        """Past its hours: the file is refused though the purge (a worker's round) has not yet removed it."""
        return bool(self.expires_at and self.expires_at <= timezone.now())
