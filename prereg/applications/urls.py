from django.urls import path

from . import views

app_name = "files"
urlpatterns = [
    path("images/<int:pk>/", views.image, name="image"),
    path("images/<int:pk>/thumb/", views.thumbnail, name="thumb"),
    path("verify/<str:number>/<str:token>/", views.verify, name="verify"),
]
