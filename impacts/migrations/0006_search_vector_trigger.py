"""On PostgreSQL the database keeps each impact's search vector current itself: a trigger
rebuilds it whenever an impact is inserted or its searched words change, so bulk inserts
(seed_scale, imports) and QuerySet.update() are searchable at once, as save() is.

The words and weights are impacts.models.SEARCHED_FIELDS and SEARCH_CONFIG: change both
together (and run ImpactRecord.objects.refresh_search_vectors() after)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION impacts_search_vector_update() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english'::regconfig, COALESCE(NEW.what_changed, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, COALESCE(NEW.evidence_text, '')), 'B');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS impacts_search_vector ON impacts_impactrecord;
CREATE TRIGGER impacts_search_vector
    BEFORE INSERT OR UPDATE OF what_changed, evidence_text, search_vector
    ON impacts_impactrecord FOR EACH ROW EXECUTE FUNCTION impacts_search_vector_update();
"""

DROP = """
DROP TRIGGER IF EXISTS impacts_search_vector ON impacts_impactrecord;
DROP FUNCTION IF EXISTS impacts_search_vector_update();
"""


def create_trigger(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)
        # Rows written between migration 0005 and this one (bulk inserts) get theirs now.
        schema_editor.execute(
            "UPDATE impacts_impactrecord SET search_vector = NULL WHERE search_vector IS NULL"
        )


def drop_trigger(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("impacts", "0005_search_vector")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
