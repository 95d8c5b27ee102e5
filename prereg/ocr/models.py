"""A machine reading of one certificate image (prereg.ocr): what the engine read, never a decision."""

from django.db import models


class ReadingStatus(models.TextChoices):
    PENDING = "pending", "识别中"
    DONE = "done", "已识别"
    FAILED = "failed", "未能识别"  # the engine is missing or failed on this image


class ImageReading(models.Model):
    """The OCR of one stored image version. The comparison with the typed values is computed when
    shown (prereg.ocr.services); `flags` keeps its last outcome for 进度跟踪's counts."""

    image = models.OneToOneField("applications.ApplicationImage", on_delete=models.CASCADE, related_name="reading")
    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE, related_name="+")
    slot = models.CharField(max_length=30)
    sha256 = models.CharField(max_length=64)  # the stored version that was read
    status = models.CharField(max_length=10, choices=ReadingStatus.choices, default=ReadingStatus.PENDING)
    engine = models.CharField(max_length=100, blank=True)
    # [[text, [x0, y0, x1, y1, x2, y2, x3, y3], score, alternatives per character], ...]: boxes in the
    # stored image's pixels, corners from the text's top-left as read.
    lines = models.JSONField(default=list, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    kind = models.CharField("识别的材料类型", max_length=30, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)
    # Last comparison: keys of the fields that disagree, and "kind" for a document of the wrong kind.
    flags = models.JSONField(default=list, blank=True)
    flagged = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "证件图片识别"
        indexes = [models.Index(fields=["application", "flagged", "slot"])]

    def __str__(self):
        return f"{self.slot} #{self.image_id} {self.status}"
