from django.urls import path

from .views import print as print_views

urlpatterns = [
    path("applications/<int:pk>/confirmation.pdf", print_views.print_confirmation, name="print_confirmation"),
]
