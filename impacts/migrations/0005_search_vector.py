"""A stored full-text search vector for impacts (GIN-indexed on PostgreSQL), filled for the
impacts already recorded, and indexes for the impact database's order and year filter."""

import django.contrib.postgres.search
from django.contrib.postgres.search import SearchVector
from django.db import migrations, models

GIN_INDEX = "impacts_search_vector_gin"


def fill_search_vectors(apps, schema_editor) -> None:
    """On PostgreSQL: the GIN index, and every impact's vector in one UPDATE (as
    ImpactRecord.search_vector builds it). SQLite has no full-text vectors: nothing to do."""
    if schema_editor.connection.vendor != "postgresql":
        return
    ImpactRecord = apps.get_model("impacts", "ImpactRecord")
    ImpactRecord.objects.using(schema_editor.connection.alias).update(
        search_vector=SearchVector("what_changed", weight="A", config="english")
        + SearchVector("evidence_text", weight="B", config="english")
    )
    table = schema_editor.quote_name(ImpactRecord._meta.db_table)
    schema_editor.execute(
        f"CREATE INDEX {schema_editor.quote_name(GIN_INDEX)} ON {table} USING gin (search_vector)"
    )


def drop_gin_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(GIN_INDEX)}")


class Migration(migrations.Migration):
    dependencies = [
        ("impacts", "0004_survey_response_no_date"),
    ]

    operations = [
        migrations.AddField(
            model_name="impactrecord",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="impactrecord",
            index=models.Index(
                models.Case(
                    models.When(stage="identifying", then=models.Value(0)),
                    models.When(stage="design", then=models.Value(1)),
                    models.When(stage="conduct", then=models.Value(2)),
                    models.When(stage="analysis", then=models.Value(3)),
                    models.When(stage="dissemination", then=models.Value(4)),
                    models.When(stage="beyond", then=models.Value(5)),
                    default=models.Value(6),
                    output_field=models.IntegerField(),
                ),
                models.OrderBy(models.F("recorded_on"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                name="impacts_by_stage",
            ),
        ),
        migrations.AddIndex(
            model_name="impactrecord",
            index=models.Index(fields=["recorded_on"], name="impacts_recorded_on"),
        ),
        migrations.RunPython(fill_search_vectors, drop_gin_index),
    ]
