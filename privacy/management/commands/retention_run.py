"""Apply the retention settings now (the daily Celery beat task does the same)."""

from django.core.management.base import BaseCommand

from privacy.retention import retention_run, retention_words


class Command(BaseCommand):
    help = "Erase what the retention settings say is due; --dry-run only counts it."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")

    def handle(self, *args, dry_run=False, **options):
        counts = retention_run(dry_run=dry_run)
        prefix = "Would do (dry run): " if dry_run else ""
        self.stdout.write(prefix + retention_words(counts))
