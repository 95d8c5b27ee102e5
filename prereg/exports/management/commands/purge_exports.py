from django.core.management.base import BaseCommand

from prereg.exports.runner import purge_expired


class Command(BaseCommand):
    help = "Delete export files past their expiry (EXPORT_TTL_HOURS); run it from cron, e.g. hourly."

    def handle(self, *args, **options):
        count = purge_expired()
        self.stdout.write(f"expired exports removed: {count}")
