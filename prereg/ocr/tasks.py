"""Background reading of uploaded certificate images (django-tasks, queue "ocr").

`enqueue_reading(images)`: after an upload's transaction commits, one task per image on the "ocr"
queue. Never raises: an upload must not fail because of the reading. The task's work is
services.read_image; this module imports services, never the other way.
"""

import logging

from django.conf import settings
from django.db import transaction
from django_tasks import task

from . import services

logger = logging.getLogger(__name__)


# Defined on the default queue (a queue named here must exist wherever this module is imported);
# enqueue_reading sends it to settings.OCR_QUEUE ("ocr": a worker of its own, so a burst of uploads
# never holds up the default queue). Behind every other task: a worker that takes every queue
# (deploy's prereg-worker@) takes an export or an SMS before a backlog of photos, which would
# otherwise hold an export past EXPORT_STALE_MINUTES.
@task(priority=-50)
def read_image_task(image_id: int) -> str:
    reading = services.read_image(image_id)
    return reading.status if reading else "gone"


def enqueue_reading(images) -> None:
    """Ask for a reading of each image once the current transaction has committed."""
    ids = [image.pk for image in images if image.slot in services.READ_SLOTS]
    if not ids:
        return

    def enqueue():
        try:
            if not services.queue_ready():
                logger.info("OCR queue %r has no worker configured: images %s not read", settings.OCR_QUEUE, ids)
                return
            for pk in ids:
                read_image_task.using(queue_name=settings.OCR_QUEUE).enqueue(pk)
        except Exception:  # the upload is done and stays done
            logger.exception("could not enqueue the OCR of images %s", ids)

    transaction.on_commit(enqueue)
