# The national catalogue is data: loaded on migrate so every database (and every test database)
# has the shipped items; `tumbuh load_catalogue` re-loads after an update of the data file.
from django.db import migrations


def load(apps, schema_editor):
    from tumbuh.interventions.catalogue import shipped

    CatalogueItem = apps.get_model("interventions", "CatalogueItem")
    data = shipped()
    for item in data["items"]:
        CatalogueItem.objects.update_or_create(
            code=item["code"], region=None,
            defaults={
                "name": item["name"], "kind": item["kind"], "target_group": item["target_group"],
                "unit": item["unit"], "default_agency_code": item.get("agency", ""),
                "indicator": item.get("indicator", ""), "course_days": item.get("course_days", []),
                "course_amount": item.get("course_amount"), "source": item.get("source", ""),
                "version": data["version"],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("interventions", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
