"""The registry's starting vocabulary: sectors, the nine Multi-Track tracks, languages.

Admins may add to these later; the data is written here, not imported, so this migration
means the same thing forever.
"""

from django.db import migrations

SECTORS = [
    ("academic", "Academic"),
    ("business", "Business"),
    ("religious", "Religious"),
    ("media", "Media"),
    ("civil-society", "Civil society"),
    ("former-officials", "Former officials"),
    ("government", "Government (serving)"),
    ("security", "Security sector"),
    ("youth", "Youth"),
    ("women", "Women's organisations"),
    ("legal", "Legal"),
    ("culture", "Arts and culture"),
]

TRACKS = [
    (1, "Government", "Peacemaking through diplomacy"),
    (2, "Nongovernment / professional", "Peacemaking through conflict resolution"),
    (3, "Business", "Peacemaking through commerce"),
    (4, "Private citizen", "Peacemaking through personal involvement"),
    (5, "Research, training and education", "Peacemaking through learning"),
    (6, "Activism", "Peacemaking through advocacy"),
    (7, "Religion", "Peacemaking through faith in action"),
    (8, "Funding", "Peacemaking through providing resources"),
    (9, "Communications and the media", "Peacemaking through information"),
]

# (code, English name, native name, right to left)
LANGUAGES = [
    ("am", "Amharic", "አማርኛ", False),
    ("ar", "Arabic", "العربية", True),
    ("hy", "Armenian", "Հայերեն", False),
    ("az", "Azerbaijani", "Azərbaycan dili", False),
    ("bs", "Bosnian", "Bosanski", False),
    ("my", "Burmese", "မြန်မာဘာသာ", False),
    ("zh", "Chinese", "中文", False),
    ("hr", "Croatian", "Hrvatski", False),
    ("fa-AF", "Dari", "دری", True),
    ("en", "English", "English", False),
    ("fr", "French", "Français", False),
    ("ka", "Georgian", "ქართული", False),
    ("de", "German", "Deutsch", False),
    ("el", "Greek", "Ελληνικά", False),
    ("he", "Hebrew", "עברית", True),
    ("hi", "Hindi", "हिन्दी", False),
    ("it", "Italian", "Italiano", False),
    ("ksw", "Karen (S'gaw)", "ကညီကျိာ်", False),
    ("pwo", "Karen (Pwo)", "ပှၤကညီ", False),
    ("ku", "Kurdish", "Kurdî", False),
    ("ne", "Nepali", "नेपाली", False),
    ("ps", "Pashto", "پښتو", True),
    ("fa", "Persian", "فارسی", True),
    ("pt", "Portuguese", "Português", False),
    ("ru", "Russian", "Русский", False),
    ("sr", "Serbian", "Српски", False),
    ("si", "Sinhala", "සිංහල", False),
    ("so", "Somali", "Soomaali", False),
    ("es", "Spanish", "Español", False),
    ("sw", "Swahili", "Kiswahili", False),
    ("ta", "Tamil", "தமிழ்", False),
    ("th", "Thai", "ไทย", False),
    ("ti", "Tigrinya", "ትግርኛ", False),
    ("tr", "Turkish", "Türkçe", False),
    ("uk", "Ukrainian", "Українська", False),
    ("ur", "Urdu", "اردو", True),
]


def add_vocabulary(apps, schema_editor):
    Sector = apps.get_model("participants", "Sector")
    Track = apps.get_model("participants", "Track")
    Language = apps.get_model("participants", "Language")
    for position, (slug, name) in enumerate(SECTORS):
        Sector.objects.update_or_create(slug=slug, defaults={"name": name, "position": position})
    for number, name, description in TRACKS:
        Track.objects.update_or_create(
            number=number, defaults={"name": name, "description": description}
        )
    for code, name, native_name, is_rtl in LANGUAGES:
        Language.objects.update_or_create(
            code=code, defaults={"name": name, "native_name": native_name, "is_rtl": is_rtl}
        )


class Migration(migrations.Migration):
    dependencies = [("participants", "0001_initial")]

    operations = [migrations.RunPython(add_vocabulary, migrations.RunPython.noop)]
