from django.core.management.base import BaseCommand

from prereg.catalog.loaders import load_national, load_year_catalogue
from prereg.catalog.models import ExamYear


class Command(BaseCommand):
    help = "Load the national dictionaries and the first catalogue of every exam year that has none (idempotent)."

    def handle(self, *args, **options):
        counts = load_national()
        self.stdout.write(f"national dictionaries: {counts}")
        for year in ExamYear.objects.all():
            self.stdout.write(f"{year}: {load_year_catalogue(year)}")
