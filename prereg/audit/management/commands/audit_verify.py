"""`manage.py audit_verify`: walks the audit chain and reports the first broken entry."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from prereg.audit.verify import verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log; exit 1 at the first broken entry."

    def handle(self, *args, **options):
        try:
            result = verify_chain()
        except DatabaseError as exc:  # the table itself cannot be read: said, without a traceback
            raise CommandError(f"审计日志无法读取：{exc}") from None
        if not result.ok:
            raise CommandError(f"审计日志校验失败，{result.broken} （此前 {result.count} 条完好）")
        self.stdout.write(f"审计日志完好：{result.count} 条，链头 {result.head}")
