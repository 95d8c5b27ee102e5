"""The security issue's additions to the upload corpus (tests/applications/test_images.py has the rest)."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from prereg.applications import images
from prereg.applications.carryover import start_application
from prereg.applications.models import ApplicationImage


@pytest.fixture
def application(year, candidate):
    return start_application(candidate=candidate, exam_year=year)


SVG_WITH_SCRIPT = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                   b'<script>alert(document.cookie)</script><rect width="10" height="10"/></svg>')
HTML_PAGE = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


@pytest.mark.parametrize(("name", "data", "content_type"), [
    ("certificate.svg", SVG_WITH_SCRIPT, "image/svg+xml"),
    ("certificate.jpg", SVG_WITH_SCRIPT, "image/jpeg"),
    ("certificate.jpg", HTML_PAGE, "image/jpeg"),
])
def test_script_bearing_files_are_refused_whatever_their_name(application, candidate, name, data, content_type):
    with pytest.raises(ValidationError) as excinfo:
        images.images_add(actor=candidate, application=application, slot="photo",
                          uploads=[SimpleUploadedFile(name, data, content_type=content_type)])
    assert "jpg" in excinfo.value.messages[0].lower() or "图片" in excinfo.value.messages[0]
    assert ApplicationImage.objects.count() == 0


def test_a_path_traversal_file_name_never_reaches_the_storage_path(application, candidate, settings):
    out = io.BytesIO()
    Image.new("RGB", (200, 300), (200, 10, 10)).save(out, "PNG")
    upload = SimpleUploadedFile("../../../../etc/passwd.png", out.getvalue(), content_type="image/png")
    [img] = images.images_add(actor=candidate, application=application, slot="photo", uploads=[upload])
    assert ".." not in img.file.name and "passwd" not in img.file.name
    stored = (settings.MEDIA_ROOT / img.file.name).resolve()
    assert stored.is_relative_to(settings.MEDIA_ROOT.resolve())
    assert stored.exists()
