from django.apps import AppConfig


class OcrConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "prereg.ocr"
    verbose_name = "证件图片识别"
