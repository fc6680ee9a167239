"""Montville's three processes of Track Two diplomacy."""

from django.db import migrations

PROCESSES = [
    ("facilitated-workshops", "Facilitated problem-solving workshops"),
    ("public-opinion", "Shifting public opinion"),
    ("economic-development", "Cooperative economic development"),
]


def add_processes(apps, schema_editor):
    Process = apps.get_model("dialogues", "Process")
    for position, (slug, name) in enumerate(PROCESSES):
        Process.objects.update_or_create(slug=slug, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("dialogues", "0001_initial")]

    operations = [migrations.RunPython(add_processes, migrations.RunPython.noop)]
