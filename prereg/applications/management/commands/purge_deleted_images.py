from django.conf import settings
from django.core.management.base import BaseCommand

from prereg.applications.images import deleted_images_purge


class Command(BaseCommand):
    help = ("Remove from storage the files of images replaced or deleted more than "
            "DELETED_IMAGE_RETENTION_HOURS ago; run it from cron, e.g. hourly.")

    def handle(self, *args, **options):
        count = deleted_images_purge()
        self.stdout.write(f"已清除 {count} 个已删除图片的文件（保留期 {settings.DELETED_IMAGE_RETENTION_HOURS} 小时）。")
