from django.contrib.auth import views as auth_views
from django.urls import path

from core import language, views, views_retention

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # The language switcher of every page (core.language): Django's set_language, saved too.
    path("i18n/setlang/", language.set_language, name="set_language"),
    path("accounts/preferences/", views.preferences, name="preferences"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/export.csv", views.audit_log_export, name="audit_log_export"),
    path("admin-tools/retention/", views_retention.retention_preview, name="retention"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]
