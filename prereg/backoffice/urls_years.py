from django.urls import path

from .views import years

urlpatterns = [
    path("years/", years.year_list, name="years"),
    path("years/open/", years.year_open, name="year_open"),
    path("years/passwords/", years.password_sheets, name="year_passwords"),
    path("years/passwords/<int:pk>/reveal/", years.password_sheet_reveal, name="year_password_reveal"),
    path("years/<int:pk>/", years.year_detail, name="year_detail"),
    path("years/<int:pk>/projects/", years.year_project_add, name="year_project_add"),
    path("years/<int:pk>/projects/<int:project_id>/", years.year_project_edit, name="year_project_edit"),
    path("years/<int:pk>/rules/", years.year_rules, name="year_rules"),
    path("years/<int:pk>/catalogue/download/", years.year_catalogue_download, name="year_catalogue_download"),
    path("years/<int:pk>/catalogue/import/", years.year_catalogue_import, name="year_catalogue_import"),
    path("years/<int:pk>/catalogue/<slug:kind>/", years.year_entries, name="year_entries"),
    path("years/<int:pk>/catalogue/<slug:kind>/<int:entry_id>/", years.year_entry_edit, name="year_entry_edit"),
    path("announcements/", years.announcement_list, name="announcements"),
    path("announcements/new/", years.announcement_edit, name="announcement_new"),
    path("announcements/<int:pk>/", years.announcement_edit, name="announcement_edit"),
    path("announcements/<int:pk>/publish/", years.announcement_publish, name="announcement_publish"),
    path("manual/<slug:which>/", years.manual, name="manual"),
]
