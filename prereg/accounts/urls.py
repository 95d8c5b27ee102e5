from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("first-login/", views.first_login, name="first_login"),
    path("password/", views.password_change, name="password_change"),
    path("profile/", views.profile, name="profile"),
    path("password/forgot/", views.password_forgot, name="password_forgot"),
    path("password/forgot/reset/", views.password_forgot_reset, name="password_forgot_reset"),
]
