"""Background reading of uploaded certificate images (django-tasks, queue "ocr")."""

from django_tasks import task

from . import services


# Defined on the default queue (a queue named here must exist wherever this module is imported);
# services.enqueue_reading sends it to settings.OCR_QUEUE ("ocr": a worker of its own, so a
# burst of uploads never holds up the default queue). Behind every other task: a worker that takes
# every queue (deploy's prereg-worker@) takes an export or an SMS before a backlog of photos, which
# would otherwise hold an export past EXPORT_STALE_MINUTES.
@task(priority=-50)
def read_image_task(image_id: int) -> str:
    reading = services.read_image(image_id)
    return reading.status if reading else "gone"
