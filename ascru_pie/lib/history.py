"""django-simple-history, writing a history row only when something it tracks has changed."""

from simple_history.models import HistoricalRecords


class ChangedHistoricalRecords(HistoricalRecords):
    """Like HistoricalRecords, but a save that changes no tracked field writes no row.

    A form sent back unchanged, an `update_or_create` that finds the row as it is, or
    `seed_demo` run twice, is not a change anyone needs to audit (one query per save).
    """

    def post_save(self, instance, created, using=None, **kwargs):
        if not created and not kwargs.get("raw", False) and self._unchanged(instance, using):
            return
        super().post_save(instance, created, using=using, **kwargs)

    def _unchanged(self, instance, using) -> bool:
        manager = getattr(instance, self.manager_name)
        last = manager.using(using).order_by("-history_date", "-history_id").first()
        if last is None:
            return False
        return all(
            getattr(last, field.attname) == getattr(instance, field.attname)
            for field in self.fields_included(instance)
        )
