"""What the candidate must be told, where he looks (issue 17.6): each 📷 slot's 注意事项 and 示例图片,
the two-site rule on the home page, the manual's routing table."""

from pathlib import Path

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from PIL import Image

from prereg.applications.images import SLOT_GUIDES, slot_guide
from prereg.applications.models import ImageSlot
from tests.factories import complete_application, jpeg_upload
from tools.draw_slot_samples import MAX_BYTES, SPECIMENS

STATIC = Path(settings.BASE_DIR) / "prereg" / "static"


def test_every_slot_has_the_manuals_note_and_a_small_sample_image_drawn_by_the_script():
    assert set(SLOT_GUIDES) == set(ImageSlot)
    files = {file for guide in SLOT_GUIDES.values() for file, _ in guide.samples}
    assert {f"prereg/samples/{name}.png" for name in SPECIMENS} == files  # the script draws exactly these
    for file in files:
        path = STATIC / file
        assert path.stat().st_size <= MAX_BYTES, (file, path.stat().st_size)
        with Image.open(path) as image:
            assert image.format == "PNG" and 280 <= image.width <= 800
    # The manual's own words (candidate manual, section 六).
    assert SLOT_GUIDES[ImageSlot.APPOINTMENT].note == "聘书照应为翻开有时间段的页面，多个聘任单位需上传多个对应图片"
    assert SLOT_GUIDES[ImageSlot.CATEGORY].note == "护士上传执业证书，医师上传资格证书"
    assert SLOT_GUIDES[ImageSlot.PRACTICE_CHANGE].note == "上传执业证书中的变更注册记录页"
    assert SLOT_GUIDES[ImageSlot.ID_FRONT].note.startswith("需上传正反面两张图片")


def test_the_form_shows_each_slots_note_and_sample_beside_its_upload(client, year, tree, candidate):
    application = complete_application(candidate, year, tree)
    client.force_login(candidate)
    body = client.get(reverse("candidate:form")).content.decode()
    for slot in ("id_front", "category", "appointment", "education"):
        start = body.index(f'id="img-{slot}-')
        panel = body[start:body.index("data-upload", start)]  # the slot, up to its upload form
        guide = slot_guide(application, slot)  # as the application's 证件类型 and series have it (a physician's)
        assert guide.note in panel, slot
        for file, _ in guide.samples:
            assert static(file) in panel and "示例图片" in panel, slot
    appointment = body[body.index('id="img-appointment-'):]
    assert "翻开有时间段的页面" in appointment.split("data-upload")[0]


def test_a_slot_redrawn_after_an_upload_keeps_its_note_and_sample(client, year, tree, candidate):
    application = complete_application(candidate, year, tree)
    application.practice_change = "执业地点变更"  # a 执业变更情况 of 无 takes no picture
    application.save()
    client.force_login(candidate)
    answer = client.post(reverse("candidate:image_upload"), {"slot": "practice_change", "version": application.version,
                                                             "file": jpeg_upload()},
                         HTTP_ACCEPT="application/json").json()
    assert answer["ok"]
    assert "上传执业证书中的变更注册记录页" in answer["html"]
    assert static("prereg/samples/practice-change.png") in answer["html"]


def test_the_home_page_names_the_national_site_and_the_two_site_rule(client, year, candidate):
    client.force_login(candidate)
    body = client.get(reverse("candidate:home")).content.decode()
    assert "中国卫生人才网" in body and "www.21wecan.com" in body
    assert "只在一个网站报名的，将无法成功报名" in body


def test_the_candidate_manual_routes_township_units_through_the_registration_point_and_has_funeng(
        client, candidate):
    client.force_login(candidate)
    body = client.get(reverse("backoffice:manual", args=["candidate"])).content.decode()
    township = body.split("乡镇（如鼓楼区洪山社区卫生服务中心）")[1].split("</tr>")[0]
    assert township.count("鼓楼区卫健局") == 2  # 单位审查 and 报名点确认 both at the 报名点
    funeng = body.split("其他（如福能总医院）")[1].split("</tr>")[0]
    assert funeng.count("福能总医院") == 2 and funeng.count("省卫健委") == 2


def test_the_candidate_manual_shows_the_appointment_sample(client, candidate):
    client.force_login(candidate)
    body = client.get(reverse("backoffice:manual", args=["candidate"])).content.decode()
    assert static("manual/sample-appointment.png") in body
    assert "示例图片：聘书（翻开有时间段的页面）" in body
