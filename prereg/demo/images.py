"""Demo certificate images: a generated picture for every filled 📷 field of every demo application."""

import io
import uuid

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from prereg.applications import images
from prereg.applications.completeness import required_images
from prereg.applications.models import ApplicationImage, ImageSlot

COLORS = {ImageSlot.PHOTO: (214, 228, 240), ImageSlot.ID_FRONT: (240, 232, 214), ImageSlot.ID_BACK: (236, 236, 220)}


# The candidate's photo is upright, as the rule asks of it (images._check_fits_slot); a certificate lies flat.
PHOTO_SIZE, CERTIFICATE_SIZE = (440, 600), (640, 440)


def _picture(label: str, slot) -> SimpleUploadedFile:
    width, height = PHOTO_SIZE if slot == ImageSlot.PHOTO else CERTIFICATE_SIZE
    img = Image.new("RGB", (width, height), COLORS.get(slot, (245, 245, 245)))
    draw = ImageDraw.Draw(img)
    draw.rectangle([12, 12, width - 13, height - 13], outline=(160, 30, 30), width=4)
    draw.text((40, 40), label.encode("ascii", "replace").decode(), fill=(60, 60, 60))
    if slot == ImageSlot.PHOTO:  # a head and shoulders, as a 1-inch photo shows them
        draw.ellipse([150, 130, 290, 310], fill=(236, 214, 190), outline=(90, 70, 60), width=3)
        draw.pieslice([60, 340, 380, 860], 180, 360, fill=(40, 60, 90))
    else:
        draw.ellipse([width - 160, height - 160, width - 40, height - 40], outline=(190, 30, 30), width=5)  # a stamp
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return SimpleUploadedFile(f"{slot}.jpg", out.getvalue(), content_type="image/jpeg")


def seed(context):
    for application in context["applications"]:
        attach_required(application)


def attach_required(application) -> None:
    """A picture for each image the form asks of `application`, unless it has images already (a
    reviewer can confirm no 📷 item without its picture)."""
    if ApplicationImage.objects.filter(application=application).exists():
        return
    state = application.state
    for required in required_images(application):
        attach_picture(application, required.slot, required.row_id, f"{required.slot} #{application.pk}")
    assert application.state == state


def attach_picture(application, slot, row_id, label: str) -> None:
    """A generated picture, through the upload pipeline, as the application's image of `slot`."""
    store(application, slot, row_id, images.process_image(_picture(label, slot)))


def store(application, slot, row_id, image):
    # Demo data is attached whatever the state (most demo applications are already in review),
    # so this bypasses images_add's "editable by the candidate" rule but not the pipeline.
    stem = uuid.uuid4().hex
    obj = ApplicationImage(application=application, slot=slot, row_id=row_id, sha256=image.sha256,
                           size=len(image.data), width=image.width, height=image.height,
                           content_type=image.content_type, original_name=f"{slot}.jpg",
                           uploaded_by=application.candidate)
    obj.file.save(f"{stem}.jpg", ContentFile(image.data), save=False)
    obj.thumbnail.save(f"{stem}.jpg", ContentFile(image.thumbnail), save=False)
    obj.save()
