from django.core.management.base import BaseCommand
from django.db import transaction

from prereg.catalog.loaders import load_national
from prereg.demo import applications, images, ocr, orgadmin, orgs, people, reconcile, review, years

# Each area adds its own demo data, in this order, by its seed(context).
AREAS = [images, review, orgadmin, years, reconcile, ocr]


class Command(BaseCommand):
    help = "Load demo data: the org tree of the source, one account per role, candidates in several states (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-accounts", action="store_true", help="do not print the demo accounts")

    def handle(self, *args, **options):
        load_national()
        password = people.demo_password()
        with transaction.atomic():
            tree = orgs.seed_orgs()
            staff = people.seed_staff(tree, password)
            candidates = people.seed_candidates(password)
            year = applications.seed_year()
            apps = applications.seed_applications(year, candidates, tree)
            context = {"tree": tree, "staff": staff, "candidates": candidates, "year": year,
                       "applications": apps, "password": password}
            for area in AREAS:
                area.seed(context)
            apps = [a.__class__.objects.get(pk=a.pk) for a in apps]
        if not options["quiet_accounts"]:
            self.print_accounts(staff, candidates, apps, password)

    def print_accounts(self, staff, candidates, apps, password):
        self.stdout.write("")
        self.stdout.write("演示账号 (demo accounts) — password for all: " + password)
        self.stdout.write(f"{'登录名':<20}{'角色':<10}{'机构/状态'}")
        for user in staff:
            note = "" if user.profile_completed or not user.is_reviewer else "（首次登录需完善信息）"
            self.stdout.write(f"{user.username:<22}{user.get_role_display():<8}{user.org or ''}{note}")
        by_candidate = {a.candidate_id: a for a in apps}
        for user in candidates:
            application = by_candidate.get(user.pk)
            state = application.get_state_display() if application else "未填报"
            if application and application.stage:
                state += f"·{application.get_stage_display()}"
            self.stdout.write(f"{user.username:<22}{'考生':<8}{user.name} {state}")
        self.stdout.write("")
