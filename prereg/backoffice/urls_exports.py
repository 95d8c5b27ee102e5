from django.urls import path

from .views import exports

urlpatterns = [
    path("exports/", exports.exports, name="exports"),
    path("exports/orgs/", exports.org_search, name="org_search"),
    path("exports/new/", exports.export_create, name="export_create"),
    path("exports/<int:pk>/status/", exports.export_status, name="export_status"),
    path("exports/<int:pk>/download/", exports.export_download, name="export_download"),
    path("exports/<int:pk>/delete/", exports.export_delete, name="export_delete"),
    path("exports/application/<int:pk>/images/", exports.export_application_images,
         name="export_application_images"),
    path("reminders/", exports.reminders, name="reminders"),
]
