from pathlib import Path

from django.core.management import call_command

from prereg.accounts.models import Role, User
from prereg.applications.models import Application, ApplicationImage, DeletedImageFile, State
from prereg.orgs.models import Org


def test_seed_demo_is_idempotent_and_has_every_role(db, tmp_path, settings, monkeypatch):
    monkeypatch.setattr("prereg.demo.people.PASSWORD_FILE", tmp_path / "pw.txt")
    call_command("seed_demo", quiet_accounts=True)
    counts = (Org.objects.count(), User.objects.count(), Application.objects.count())
    call_command("seed_demo", quiet_accounts=True)
    assert (Org.objects.count(), User.objects.count(), Application.objects.count()) == counts
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert Application.objects.filter(state=State.DRAFT).exists()
    assert Application.objects.filter(state=State.IN_REVIEW).exists()
    # The 资格初审 assistant has judged every demo application (its verdict shows in the lists).
    assert not Application.objects.filter(verdict="").exists()
    # Every one in review has the pictures its form asks for: a reviewer confirms no item without one.
    from prereg.applications.completeness import required_images

    for application in Application.objects.filter(state=State.IN_REVIEW):
        held = set(ApplicationImage.objects.filter(application=application).values_list("slot", "row_id"))
        assert {(i.slot, i.row_id) for i in required_images(application)} <= held, application.name


def test_seed_demo_leaves_no_image_file_that_no_row_names(db, tmp_path, settings, monkeypatch):
    # The demo's machine readings replace placeholder pictures: their files must be kept for the
    # purge (DeletedImageFile), not left in storage with nothing naming them.
    monkeypatch.setattr("prereg.demo.people.PASSWORD_FILE", tmp_path / "pw.txt")
    call_command("seed_demo", quiet_accounts=True)
    call_command("seed_demo", quiet_accounts=True)
    media = Path(settings.MEDIA_ROOT)
    stored = {path.relative_to(media).as_posix() for path in media.rglob("*.jpg")}
    named = set(DeletedImageFile.objects.values_list("name", flat=True))
    for file, thumbnail in ApplicationImage.objects.values_list("file", "thumbnail"):
        named |= {file, thumbnail}
    assert stored and stored <= named
    assert DeletedImageFile.objects.exists()
