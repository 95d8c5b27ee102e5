"""The 国网 roster an org uploaded and its rows matched with the applications here (the reminders
sent from its lists are notify.RosterReminder and notify.Reminder).

One upload per org and exam year is in force (status DONE); a new one replaces it. The rows of an
upload are the lines of the sheet that fall in the org's scope; lines outside it are only counted
(RosterUpload.outside_rows). The applications of the scope that the roster lacks (只在省网) are kept
beside the rows as MissingApplication, so every list of the page is one indexed query.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class UploadStatus(models.TextChoices):
    PENDING = "pending", "待确认列对应"
    DONE = "done", "已核对"
    REPLACED = "replaced", "已被新名单替换"


class ListKind(models.TextChoices):
    """The lists of the page, in their order there."""

    ONLY_NATIONAL = "national", "只在国网"
    ONLY_PROVINCIAL = "provincial", "只在省网"
    DIFFERENT = "different", "信息不一致"
    UNCONFIRMED = "unconfirmed", "国网未确认"
    CONSISTENT = "consistent", "一致"

    @classmethod
    def remindable(cls):
        """The 只在一侧 lists: a candidate registered on one site only is not registered (注意事项一)."""
        return (cls.ONLY_NATIONAL, cls.ONLY_PROVINCIAL)


class RosterMapping(models.Model):
    """The column mapping an org confirmed last, proposed again for its next upload."""

    org = models.OneToOneField("orgs.Org", on_delete=models.CASCADE, related_name="+")
    mapping = models.JSONField(default=dict)  # field key -> header text
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "国网名单列对应"


class RosterUpload(models.Model):
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    exam_year = models.ForeignKey("catalog.ExamYear", on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=UploadStatus.choices, default=UploadStatus.PENDING,
                              db_index=True)
    file_name = models.CharField("文件名", max_length=150)
    # The uploaded file, kept only until it is imported (or replaced by another pending upload).
    file = models.FileField(upload_to="reconcile/", max_length=200, blank=True)
    header = models.JSONField(default=list)
    sample = models.JSONField(default=list)  # the first lines, personal numbers masked, for the mapping page
    mapping = models.JSONField(default=dict)
    # The bad lines of the last attempt ([line, reason]), shown until the file is fixed and uploaded again.
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(null=True, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    outside_rows = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)  # ListKind -> rows
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = "国网名单"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["org", "exam_year"], condition=Q(status="done"),
                                    name="one_roster_in_force_per_org_and_year"),
        ]

    def __str__(self):
        return f"{self.file_name} · {self.org}"


# The back-office function (accounts.permissions) of 国网名单核对: who may upload, read and export rosters.
FUNCTION = "reconcile_national"

# What a roster line and an application differ on (selectors.compare): RosterRow.<key>_differs.
DIFFERENCES = {"level": "报考级别", "specialty": "报考专业", "name": "姓名"}


class RowKind(models.TextChoices):
    ONLY_NATIONAL = "national", "只在国网"
    BOTH = "both", "两网均有"


class RosterRow(models.Model):
    """One line of the roster within the org's scope, as read and as matched."""

    upload = models.ForeignKey(RosterUpload, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField("行号")
    id_number = models.CharField("证件号码", max_length=30)  # normalised: columns.normalise_id (uppercase X)
    name = models.CharField("姓名", max_length=50)
    level = models.CharField("报考级别", max_length=30, blank=True)
    specialty = models.CharField("报考专业", max_length=100, blank=True)
    specialty_code = models.CharField("专业代码", max_length=20, blank=True)
    serial = models.CharField("报名序号", max_length=50, blank=True)
    site = models.CharField("考点", max_length=100, blank=True)
    status_text = models.CharField("国网状态", max_length=30, blank=True)
    confirmed = models.BooleanField("国网已确认", null=True)  # None: the roster has no status column
    phone = models.CharField("手机号", max_length=20, blank=True)

    kind = models.CharField(max_length=10, choices=RowKind.choices)
    # BOTH: the submitted application here; ONLY_NATIONAL: the candidate's draft, if he has one.
    application = models.ForeignKey("applications.Application", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    candidate = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    unit = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    level_differs = models.BooleanField(default=False)
    specialty_differs = models.BooleanField(default=False)
    name_differs = models.BooleanField(default=False)

    class Meta:
        verbose_name = verbose_name_plural = "国网名单行"
        ordering = ["line"]
        indexes = [models.Index(fields=["upload", "kind", "line"]), models.Index(fields=["upload", "id_number"])]

    @property
    def differences(self) -> list[str]:
        return [label for key, label in DIFFERENCES.items() if getattr(self, f"{key}_differs")]


class MissingApplication(models.Model):
    """只在省网: a submitted application of the scope whose ID number is not on the roster."""

    upload = models.ForeignKey(RosterUpload, on_delete=models.CASCADE, related_name="missing")
    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "只在省网的报名信息"
        ordering = ["pk"]
