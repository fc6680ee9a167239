"""The upload form: only what can be told without reading the file."""

from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from participants.imports.reading import (
    EXTENSIONS,
    max_bytes,
    too_big_message,
    wrong_type,
    wrong_type_message,
)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("CSV (UTF-8, UTF-16 or Windows encoding; comma, semicolon or tab) or .xlsx."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
        error_messages={
            "required": _("Choose a file to upload."),
            "empty": _("The file is empty."),
        },
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        suffix = Path(file.name or "").suffix.lower()
        if suffix == ".xls":
            raise forms.ValidationError(
                _("Old Excel .xls files cannot be read. Save it as .xlsx or as CSV UTF-8.")
            )
        if suffix not in EXTENSIONS:
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if file.size > max_bytes():
            raise forms.ValidationError(too_big_message(file.size))
        # The first bytes say what a file is, whatever its name: a PDF or a program renamed
        # .csv is refused now, with what it is, rather than after a failed check.
        head = file.read(16)
        file.seek(0)
        kind = wrong_type(head)
        if kind is not None:
            raise forms.ValidationError(wrong_type_message(kind))
        return file
