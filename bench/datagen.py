"""Realistic applications in bulk, for the benchmarks and the rush.

    python -m bench.datagen --count 100000 --database-url postgres://postgres@127.0.0.1:5432/prereg_bench
    python -m bench.datagen --count 2000 --fresh          # drop and re-create the PostgreSQL database first

From Python (Django set up, migrated database):

    from bench.datagen import generate
    summary = generate(count=100_000, images_per_app=1)

What it makes, on top of the demo tree, staff and year (prereg.demo, idempotent):
- `count` candidates (role 考生) with valid 18-digit ID numbers (check digit by
  prereg.core.validators.id_check_char), unique phones, one shared password hash (hashing 100,000
  passwords would take longer than everything else together);
- one application each for the current year, with a specialty from the year's catalogue and the
  chain resolved by prereg.orgs.routing.resolve_chain for its unit, in a realistic mix of states
  (草稿, 审核中 at each of the four stages, 已退回, 审核通过), numbered as the service numbers them;
- an education row, a work row and (for half) an appointment row;
- a submit entry in the review log for each submitted application;
- `images_per_app` small JPEGs (ID card front, back, education certificate …) as real files in
  the configured storage, with their sha256, size and dimensions.
Written with bulk_create in chunks of one transaction each: 100,000 applications take a few
minutes on this machine. Nothing is written to the audit log (bulk data is not an act of anyone),
so the audit chain stays valid.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import io
import os
import random
import sys
import time

from bench.common import create_postgres_database, emit, migrate, setup_django

DEFAULT_PASSWORD = "Bench#2026pass"  # noqa: S105 - the benchmark candidates' shared password
# Fujian county-level codes for the address part of the ID numbers.
REGIONS = ["350102", "350103", "350104", "350105", "350111", "350122", "350124", "350181", "350203", "350206",
           "350302", "350402", "350502", "350503", "350524", "350525", "350581", "350582", "350602", "350702",
           "350802", "350902", "350128"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余杜叶程苏魏吕丁任沈姚卢傅钟"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬斌宇浩凯健俊帆帅旭宁龙林欣晨辰阳佳琪"
SCHOOLS = ["福建医科大学", "福建中医药大学", "厦门大学医学院", "莆田学院", "泉州医学高等专科学校", "漳州卫生职业学院"]
MAJORS = ["临床医学", "护理学", "药学", "医学检验技术", "中医学", "医学影像技术", "预防医学", "康复治疗学"]
# (state, stage, weight): the mix of the last day.
STATE_MIX = [
    ("draft", "", 10),
    ("in_review", "unit", 34),
    ("in_review", "point", 20),
    ("in_review", "site", 10),
    ("in_review", "district", 6),
    ("returned", "", 8),
    ("approved", "", 12),
]
IMAGE_SLOTS = ["id_front", "id_back", "education", "current_qualification", "category", "scope"]


def make_id_number(rng: random.Random, taken: set[str]) -> str:
    from prereg.core.validators import id_check_char

    while True:
        birth = datetime.date(1962, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 40))
        body = f"{rng.choice(REGIONS)}{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
        number = body + id_check_char(body)
        if number not in taken:
            taken.add(number)
            return number


def sample_jpegs(count: int = 8, seed: int = 7) -> list[dict]:
    """Small certificate-like JPEGs (about 10-20 KB): bytes, sha256, size, width, height."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    images = []
    for i in range(count):
        width, height = 480, 320
        img = Image.new("RGB", (width, height), (rng.randrange(200, 256), rng.randrange(200, 256), rng.randrange(180, 240)))
        draw = ImageDraw.Draw(img)
        draw.rectangle((12, 12, width - 12, height - 12), outline=(150, 30, 30), width=4)
        for line in range(9):
            y = 50 + line * 28
            draw.line((40, y, 40 + rng.randrange(200, 400), y), fill=(40, 40, 40), width=3)
        draw.ellipse((width - 140, height - 140, width - 40, height - 40), outline=(200, 0, 0), width=5)
        draw.text((40, 20), f"CERT-{i:02d}", fill=(0, 0, 0))
        buffer = io.BytesIO()
        img.save(buffer, "JPEG", quality=70)
        data = buffer.getvalue()
        images.append({"data": data, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
                       "width": width, "height": height})
    return images


def ensure_base(password: str):
    """The demo tree, staff (with `password` when created here) and the current year."""
    from prereg.catalog.loaders import load_national
    from prereg.demo import applications as demo_applications
    from prereg.demo import orgs as demo_orgs
    from prereg.demo import people

    load_national()
    tree = demo_orgs.seed_orgs()
    people.seed_staff(tree, password)
    year = demo_applications.seed_year()
    return tree, year


def _store(storage, name: str, data: bytes) -> str:
    """Write one file; FileSystemStorage directly (fast), any other backend through its API."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage

    if isinstance(storage, FileSystemStorage):
        path = storage.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data)
        return name
    return storage.save(name, ContentFile(data))


def generate(count: int, *, images_per_app: int = 1, password: str = DEFAULT_PASSWORD, seed: int = 1,
             chunk: int = 2000, units: list[str] | None = None, progress=None, state_mix=None,
             appointment_share: float = 0.5, complete_images_except: tuple[str, ...] | None = None,
             username_prefix: str = "") -> dict:
    """Create `count` candidates with one application each; returns a summary (counts, seconds).

    `state_mix`: [(state, stage, weight)] instead of STATE_MIX. `complete_images_except`: instead
    of `images_per_app` images, every image the form requires (completeness.required_images) except the
    slots named, e.g. ("photo", "id_back") for drafts whose candidate uploads those in the rush.
    `username_prefix` makes the login names distinct from the ID numbers (the rush uses it to
    find its own candidates).
    """
    from django.contrib.auth.hashers import make_password
    from django.core.files.storage import default_storage
    from django.db import transaction
    from django.utils import timezone

    from prereg.accounts.models import Role, User
    from prereg.applications.completeness import required_images
    from prereg.applications.models import (
        STAGE_ORG_FIELD,
        Application,
        ApplicationImage,
        AppointmentRow,
        EducationRow,
        ReviewLog,
        WorkRow,
    )
    from prereg.catalog.models import Ethnicity, Specialty
    from prereg.orgs.models import Org
    from prereg.orgs.routing import resolve_chain

    started = time.perf_counter()
    rng = random.Random(seed)
    tree, year = ensure_base(password)
    project = year.projects.first()
    password_hash = make_password(password)
    ethnicities = list(Ethnicity.objects.all()[:10]) or [None]
    specialties = list(Specialty.objects.filter(exam_year=year, enabled=True)
                       .select_related("qualification__level", "category").prefetch_related("scopes"))
    if not specialties:
        raise SystemExit("the current year has no specialties: load the catalogue first")
    scopes_by_category = {}
    for spec in specialties:
        if spec.category_id and spec.category_id not in scopes_by_category:
            scopes_by_category[spec.category_id] = (list(spec.category.scopes.all()[:3])
                                                    if spec.category.has_scopes else [])
    unit_qs = Org.objects.filter(is_unit=True, enabled=True)
    if units:
        unit_qs = unit_qs.filter(code__in=units)
    unit_list = list(unit_qs)
    chains = {}
    for unit in unit_list:
        try:
            chains[unit.pk] = resolve_chain(unit, exam_year=year)
        except Exception:  # noqa: S112 - a unit without a reviewing ancestor takes no applications
            continue
    unit_list = [u for u in unit_list if u.pk in chains]
    taken = set(User.objects.exclude(id_number=None).values_list("id_number", flat=True))
    phone_base = 15_900_000_000 + User.objects.count() * 7 % 1_000_000
    jpegs = sample_jpegs()
    mix = state_mix or STATE_MIX
    weights = [w for _, _, w in mix]
    now = timezone.now()
    totals = {"candidates": 0, "applications": 0, "rows": 0, "images": 0, "review_logs": 0}

    made = 0
    while made < count:
        n = min(chunk, count - made)
        with transaction.atomic():
            users = []
            for i in range(n):
                id_number = make_id_number(rng, taken)
                users.append(User(
                    username=username_prefix + id_number, role=Role.CANDIDATE, id_type="resident", id_number=id_number,
                    name=rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
                    phone=str(phone_base + made + i), password=password_hash, profile_completed=True,
                ))
            users = User.objects.bulk_create(users)
            apps = []
            for user in users:
                unit = rng.choice(unit_list)
                chain = chains[unit.pk]
                spec = rng.choice(specialties)
                state, stage, = rng.choices([(s, st) for s, st, _ in mix], weights=weights)[0]
                submitted = state != "draft"
                # A specialty open to some scopes only (catalogue 适用执业注册范围) takes one of them: the
                # form's cascade offers no other, and a section save would refuse the draft.
                scopes = list(spec.scopes.all()) or scopes_by_category.get(spec.category_id) or [None]
                number17 = user.id_number
                app = Application(
                    candidate=user, exam_year=year, project=project, unit=unit,
                    state=state, stage=stage, version=1 if submitted else 0,
                    submission_round=1 if submitted else 0,
                    name=user.name, gender="M" if int(number17[16]) % 2 else "F", id_type="resident",
                    id_number=user.id_number,
                    birth_date=datetime.date(int(number17[6:10]), int(number17[10:12]), int(number17[12:14])),
                    ethnicity=rng.choice(ethnicities), postcode="350000", phone=user.phone,
                    address=f"福建省{unit.name}宿舍{rng.randrange(1, 30)}号楼",
                    chsi_code=f"{rng.randrange(10**11, 10**12)}", level=spec.qualification.level,
                    qualification=spec.qualification, category=spec.category, scope=rng.choice(scopes),
                    specialty=spec, practice_change="无", current_qualification="医师",
                    current_qualification_date=datetime.date(rng.randrange(2008, 2022), rng.randrange(1, 13), 1),
                    submitted_at=now - datetime.timedelta(minutes=rng.randrange(0, 60 * 24 * 20)) if submitted else None,
                    approved_at=now if state == "approved" else None,
                    returned_reason="学历证书照片不清晰，请重新上传。" if state == "returned" else "",
                )
                if submitted:
                    for stage, org in chain.items():
                        setattr(app, STAGE_ORG_FIELD[stage], org)
                apps.append(app)
            for app in apps:
                app.refresh_waiting_org()  # bulk_create skips save(), which keeps it
            apps = Application.objects.bulk_create(apps)
            for app in apps:
                if app.submission_round:
                    app.number = f"{year.year}{app.pk:08d}"
            Application.objects.bulk_update([a for a in apps if a.number], ["number"])

            edu, work, appoint, logs, images, edu_rows = [], [], [], [], [], []
            for app in apps:
                major = rng.choice(MAJORS)
                edu_row = EducationRow(application=app, kind="education", level=rng.choice(["大专", "本科", "硕士研究生"]),
                                       # at 19 or later (a 取得时间 before 14 is refused by the form)
                                       obtained=datetime.date(rng.randrange(min(max(2000, app.birth_date.year + 19),
                                                                                2019), 2020), 7, 1),
                                       school=rng.choice(SCHOOLS), study_form="全日制", major=major, order=0)
                edu.append(edu_row)
                work.append(WorkRow(application=app, unit_name=app.unit.name, title="医师",
                                    start=datetime.date(rng.randrange(2000, 2021), 8, 1), major=major, order=0))
                if rng.random() < appointment_share:
                    appoint.append(AppointmentRow(application=app, unit_name=app.unit.name, post="医师",
                                                  qualification="医师", start=datetime.date(2018, 1, 1)))
                if app.submission_round:
                    logs.append(ReviewLog(application=app, action="submit", stage="", actor_id=app.candidate_id,
                                          from_state="draft", to_state="in_review", from_stage="",
                                          to_stage="unit", submission_round=1))
                if complete_images_except is not None:
                    edu_rows.append((app, edu_row))
                    continue
                for k in range(images_per_app):
                    slot = IMAGE_SLOTS[k % len(IMAGE_SLOTS)]
                    images.append((app, slot, None, k))
            EducationRow.objects.bulk_create(edu)
            WorkRow.objects.bulk_create(work)
            AppointmentRow.objects.bulk_create(appoint)
            for app, _edu_row in edu_rows:
                # The form's own rule of what it asks for (every row's images included), as submitting checks it.
                for k, need in enumerate(required_images(app)):
                    if need.slot not in complete_images_except:
                        images.append((app, need.slot, need.row.pk if need.row is not None else None, k))
            image_rows = []
            for app, slot, row_id, k in images:
                jpeg = jpegs[(app.pk + k) % len(jpegs)]
                name = _store(default_storage, f"images/bench/{app.pk % 1000:03d}/{app.pk}-{slot}-{k}.jpg",
                              jpeg["data"])
                image_rows.append(ApplicationImage(
                    application=app, slot=slot, row_id=row_id, file=name, sha256=jpeg["sha256"], size=jpeg["size"],
                    width=jpeg["width"], height=jpeg["height"], content_type="image/jpeg",
                    original_name=f"IMG_{app.pk:06d}.jpg", uploaded_by_id=app.candidate_id))
            ReviewLog.objects.bulk_create(logs)
            ApplicationImage.objects.bulk_create(image_rows)
        made += n
        totals["candidates"] += n
        totals["applications"] += n
        totals["rows"] += len(edu) + len(work) + len(appoint)
        totals["images"] += len(image_rows)
        totals["review_logs"] += len(logs)
        if progress:
            progress(made, count, time.perf_counter() - started)
    totals["seconds"] = round(time.perf_counter() - started, 1)
    totals["year"] = year.year
    return totals


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.datagen", description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="default: $DATABASE_URL, else the embedded SQLite")
    parser.add_argument("--fresh", action="store_true",
                        help="PostgreSQL only: drop and re-create the database, then migrate")
    parser.add_argument("--images-per-app", type=int, default=1)
    parser.add_argument("--media-root", default=None, help="where image files go (default: settings MEDIA_ROOT)")
    parser.add_argument("--password", default=DEFAULT_PASSWORD)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chunk", type=int, default=2000)
    args = parser.parse_args(argv)

    if args.database_url and args.database_url.startswith("postgres"):
        create_postgres_database(args.database_url, drop=args.fresh)
    if args.media_root:
        os.environ["MEDIA_ROOT"] = os.path.abspath(args.media_root)
    setup_django(args.database_url)
    migrate()

    def progress(done, total, seconds):
        print(f"datagen: {done}/{total} in {seconds:.1f}s", file=sys.stderr, flush=True)

    summary = generate(args.count, images_per_app=args.images_per_app, password=args.password,
                       seed=args.seed, chunk=args.chunk, progress=progress)
    print(f"datagen: {summary}")
    emit(datagen_applications=summary["applications"], datagen_seconds=summary["seconds"],
         datagen_apps_per_s=summary["applications"] / max(summary["seconds"], 0.001))
    return 0


if __name__ == "__main__":
    sys.exit(main())
