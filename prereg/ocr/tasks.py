"""Background reading of uploaded certificate images (django-tasks, queue "ocr")."""

from django_tasks import task

from . import services


# Defined on the default queue (a queue named here must exist wherever this module is imported);
# services.enqueue_reading sends it to settings.OCR_QUEUE ("ocr": a worker of its own, so a
# burst of uploads never holds up the default queue).
@task()
def read_image_task(image_id: int) -> str:
    reading = services.read_image(image_id)
    return reading.status if reading else "gone"
