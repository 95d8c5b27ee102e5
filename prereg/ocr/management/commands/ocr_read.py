"""Read certificate images that have no current reading (carried-over images, uploads made while no
worker served the "ocr" queue, or after changing the engine)."""

from django.core.management.base import BaseCommand
from django.db.models import Exists, OuterRef

from prereg.applications.models import ApplicationImage

from ...models import ImageReading, ReadingStatus
from ...services import READ_SLOTS, read_image
from ...tasks import enqueue_reading


class Command(BaseCommand):
    help = "Read (or with --enqueue, queue the reading of) images without a current machine reading."

    def add_arguments(self, parser):
        parser.add_argument("--missing", action="store_true", help="images with no reading of their stored version")
        parser.add_argument("--failed", action="store_true", help="also images whose reading failed")
        parser.add_argument("--image", type=int, action="append", default=[], help="this image (repeatable)")
        parser.add_argument("--enqueue", action="store_true", help="queue tasks instead of reading here")
        parser.add_argument("--limit", type=int, default=0)

    def handle(self, *args, missing, failed, image, enqueue, limit, **options):
        images = ApplicationImage.objects.filter(slot__in=READ_SLOTS).order_by("pk")
        if image:
            images = images.filter(pk__in=image)
        elif missing or failed:
            current = ImageReading.objects.filter(image=OuterRef("pk"), sha256=OuterRef("sha256"))
            if not failed:
                current = current.exclude(status=ReadingStatus.PENDING)
            else:
                current = current.filter(status=ReadingStatus.DONE)
            images = images.exclude(Exists(current))
        else:
            self.stderr.write("say which: --missing, --failed or --image ID")
            return
        if limit:
            images = images[:limit]
        done = 0
        for item in images.iterator():
            if enqueue:
                enqueue_reading([item])
            else:
                reading = read_image(item.pk)
                self.stdout.write(f"image {item.pk}: {reading.status if reading else 'gone'} {reading.kind if reading else ''}")
            done += 1
        self.stdout.write(f"{done} image(s) {'queued' if enqueue else 'read'}")
