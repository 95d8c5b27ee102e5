from django.core.management.base import BaseCommand

from prereg.exports.runner import abandon_stale, purge_expired


class Command(BaseCommand):
    help = ("Delete export files past their expiry (EXPORT_TTL_HOURS) and fail jobs no worker finished "
            "(EXPORT_STALE_MINUTES); run it from cron, e.g. hourly.")

    def handle(self, *args, **options):
        abandoned = abandon_stale()
        count = purge_expired()
        self.stdout.write(f"expired exports removed: {count}; lost jobs failed: {abandoned}")
