"""The zip of candidates' images (打包证件图片): a folder per candidate, each image named as the form
names it, names a Windows PC opens (photo probe 5)."""

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from prereg.accounts.models import IdType
from prereg.applications.models import ApplicationImage
from prereg.audit.models import AuditEvent
from prereg.exports import services
from prereg.exports.models import ExportStatus
from tests.factories import EducationRowFactory, make_application

WINDOWS_FORBIDDEN = set('\\:*?"<>|') | {chr(c) for c in range(32)}


def add_image(application, slot, row=None, data=b"\xff\xd8jpeg"):
    image = ApplicationImage(application=application, slot=slot, row_id=row.pk if row else None, sha256="0" * 64,
                             size=len(data), width=10, height=10, content_type="image/jpeg",
                             uploaded_by=application.candidate)
    image.file.save("x.jpg", ContentFile(data), save=False)
    image.save()
    return image


def zip_of(reviewer, applications) -> zipfile.ZipFile:
    job = services.export_request(actor=reviewer, kind="images", filters={"ids": [a.pk for a in applications]})
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE, job.error
    with default_storage.open(job.file.name, "rb") as fh:
        return zipfile.ZipFile(io.BytesIO(fh.read()))


def test_each_candidates_images_are_in_a_folder_of_their_own(tree, year, reviewer_quanzhou):
    caocao = make_application(tree, year, "35052401", name="曹操")
    lina = make_application(tree, year, "35052401", name="李娜")
    add_image(caocao, "photo")
    add_image(caocao, "id_front")
    add_image(lina, "id_front")
    names = zip_of(reviewer_quanzhou, [caocao, lina]).namelist()
    assert sorted(names) == sorted([f"{caocao.number}_曹操/考生照片.jpg", f"{caocao.number}_曹操/身份证正面.jpg",
                                    f"{lina.number}_李娜/身份证正面.jpg"])


def test_the_identity_images_are_named_as_the_candidates_id_type_has_them(tree, year, reviewer_quanzhou):
    passport = make_application(tree, year, "35052401", name="约翰", id_type=IdType.PASSPORT)
    hkmo = make_application(tree, year, "35052401", name="陈港生", id_type=IdType.HKMO_PERMIT)
    taiwan = make_application(tree, year, "35052401", name="林台生", id_type=IdType.TW_PERMIT)
    add_image(passport, "id_front")
    for application in (hkmo, taiwan):
        add_image(application, "id_front")
        add_image(application, "id_back")
    names = zip_of(reviewer_quanzhou, [passport, hkmo, taiwan]).namelist()
    assert sorted(names) == sorted([
        f"{passport.number}_约翰/护照信息页.jpg",
        f"{hkmo.number}_陈港生/港澳居民居住证正面.jpg", f"{hkmo.number}_陈港生/港澳居民居住证反面.jpg",
        f"{taiwan.number}_林台生/台湾居民居住证正面.jpg", f"{taiwan.number}_林台生/台湾居民居住证反面.jpg"])


def test_rows_are_numbered_in_the_forms_order_the_assessed_one_first(tree, year, reviewer_quanzhou):
    application = make_application(tree, year, "35052401", name="李娜")
    # The 硕士 row was typed first; the 本科 row, added later, was made the 参评学历 (order 0).
    master = EducationRowFactory(application=application, level="硕士研究生", school="厦门大学", order=1)
    bachelor = EducationRowFactory(application=application, level="本科", order=0)
    degree = EducationRowFactory(application=application, kind="degree", level="学士", order=0)
    add_image(application, "education", master, b"master")
    add_image(application, "education", bachelor, b"bachelor")
    add_image(application, "education", bachelor, b"bachelor, page 2")
    add_image(application, "degree", degree, b"degree")
    archive = zip_of(reviewer_quanzhou, [application])
    folder = f"{application.number}_李娜"
    assert archive.read(f"{folder}/学历证书1.jpg") == b"bachelor"
    assert archive.read(f"{folder}/学历证书1-2.jpg") == b"bachelor, page 2"
    assert archive.read(f"{folder}/学历证书2.jpg") == b"master"
    assert archive.read(f"{folder}/学位证书1.jpg") == b"degree"


def test_names_are_ones_a_windows_pc_opens_and_are_marked_utf8(tree, year, reviewer_quanzhou):
    odd = make_application(tree, year, "35052401", name='曹操:孟德*?"<>|\t.')
    plain = make_application(tree, year, "35052401", name="曹操")
    add_image(odd, "id_front")
    add_image(plain, "id_front")
    archive = zip_of(reviewer_quanzhou, [odd, plain])
    for info in archive.infolist():
        folder, name = info.filename.split("/")
        assert not set(info.filename) & WINDOWS_FORBIDDEN, info.filename
        # Explorer drops a trailing dot or space: 曹操. would be the folder 曹操.
        assert not folder.endswith((".", " ")) and not name.endswith((".", " "))
        assert info.flag_bits & 0x800  # the name is UTF-8
    assert len({info.filename.split("/")[0] for info in archive.infolist()}) == 2


def test_the_zip_is_a_full_number_export_only_an_exam_site_or_the_district_may_ask_for(
        tree, year, reviewer_quanzhou, reviewer_anxi_bureau):
    """The identity card's photo shows the whole number: a 报名点 (which exports rosters masked)
    cannot pack the images, and the 考点's zip is audited as a full-number export."""
    application = make_application(tree, year, "35052401", name="曹操")
    add_image(application, "id_front")
    with pytest.raises(PermissionDenied):
        services.export_request(actor=reviewer_anxi_bureau, kind="images", filters={"ids": [application.pk]})
    zip_of(reviewer_quanzhou, [application])
    event = AuditEvent.objects.get(event="export.requested", actor=reviewer_quanzhou)
    assert event.details["kind"] == "images" and event.details["full_numbers"] is True


def test_the_export_page_offers_the_zip_only_to_those_who_may_ask_for_it(client, tree, reviewer_quanzhou,
                                                                          reviewer_anxi_bureau):
    for reviewer, offered in ((reviewer_quanzhou, True), (reviewer_anxi_bureau, False)):
        client.force_login(reviewer)
        page = client.get(reverse("backoffice:exports")).content.decode()
        assert ('value="images"' in page) is offered
