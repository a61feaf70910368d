import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

STATUSES = [("belum", "Not started"), ("berjalan", "In progress"), ("selesai", "Done"), ("batal", "Cancelled")]


def seed(apps, schema_editor):
    """What is known of the existing commitments: their status since their last change (updated_at)."""
    Commitment = apps.get_model("coordination", "Commitment")
    Change = apps.get_model("coordination", "CommitmentStatusChange")
    rows = [Change(commitment_id=pk, previous="", status=status, changed_at=updated)
            for pk, status, updated in Commitment.objects.values_list("pk", "status", "updated_at").iterator()]
    Change.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("coordination", "0002_agency_kind"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CommitmentStatusChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("previous", models.CharField(blank=True, choices=STATUSES, max_length=10, verbose_name="previous status")),
                ("status", models.CharField(choices=STATUSES, max_length=10, verbose_name="status")),
                ("changed_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="changed at")),
                ("changed_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                                 related_name="+", to=settings.AUTH_USER_MODEL)),
                ("commitment", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="status_changes",
                                                 to="coordination.commitment")),
            ],
            options={"ordering": ["changed_at", "pk"]},
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
