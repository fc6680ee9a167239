"""The audit log in the Django admin: readable by admins only, never added, changed or deleted."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from core import audit
from tests import factories

pytestmark = pytest.mark.django_db


def admin_url(view: str, *args) -> str:
    return reverse(f"admin:core_auditevent_{view}", args=args)


def test_admins_read_but_never_add_change_or_delete(client, cast):
    event = audit.record(cast.staff, "workshop.update", cast.workshop, fields=["title"])
    client.force_login(cast.admin)
    listing = client.get(admin_url("changelist"))
    assert listing.status_code == 200
    assert "delete_selected" not in listing.content.decode()
    assert client.get(admin_url("add")).status_code == 403
    detail = client.get(admin_url("change", event.pk))
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()  # view only
    assert client.post(admin_url("change", event.pk), {"action": "x"}).status_code == 403
    assert client.get(admin_url("delete", event.pk)).status_code == 403
    assert client.post(admin_url("delete", event.pk), {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.action == "workshop.update"


def test_a_staff_account_with_the_view_permission_still_cannot_read_it(client):
    clerk = factories.UserFactory(is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    client.force_login(clerk)
    assert client.get(admin_url("changelist")).status_code == 403


def test_audited_model_admin_records_changes_and_keeps_names_out_of_the_admin_history(rf, cast):
    from django import forms
    from django.contrib import admin
    from django.contrib.admin.models import LogEntry

    from core.admin import AuditedModelAdmin
    from core.models import AuditEvent
    from participants.models import Participant

    class Form(forms.ModelForm):
        class Meta:
            model = Participant
            fields = ["full_name", "organisation"]

    model_admin = AuditedModelAdmin(Participant, admin.site)
    request = rf.post("/")
    request.user = cast.admin
    person = factories.ParticipantFactory(full_name="Eleni Georgiou", organisation="Forum")
    form = Form({"full_name": "Eleni Christou", "organisation": "Forum"}, instance=person)
    assert form.is_valid()
    model_admin.save_model(request, form.save(commit=False), form, change=True)
    model_admin.log_change(request, person, [{"changed": {"fields": ["Name"]}}])
    event = AuditEvent.objects.get(action="participant.changed")
    assert event.data == {"fields": ["full_name"], "via": "admin"}
    entry = LogEntry.objects.get()
    assert entry.object_repr == f"participant #{person.pk}"

    pk = person.pk
    model_admin.log_deletions(request, Participant.objects.filter(pk=pk))
    model_admin.delete_model(request, person)
    assert AuditEvent.objects.filter(action="participant.deleted", object_id=str(pk)).exists()
    logged = str(list(LogEntry.objects.values_list("object_repr", "change_message")))
    logged += str(list(AuditEvent.objects.values_list("object_repr", "data")))
    assert "Eleni" not in logged and "Christou" not in logged and "Georgiou" not in logged
