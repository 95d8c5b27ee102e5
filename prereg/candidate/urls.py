from django.urls import path

from . import views

app_name = "candidate"
urlpatterns = [
    path("", views.home, name="home"),
]
