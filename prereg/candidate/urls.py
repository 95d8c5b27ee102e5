from django.urls import path

from . import views
from .views import form, phone, signup, submission, uploads

app_name = "candidate"
urlpatterns = [
    path("", views.home, name="home"),
    path("signup/", signup.signup, name="signup"),
    path("signup/code/", signup.signup_send_code, name="signup_send_code"),
    path("form/", form.form_page, name="form"),
    path("form-status/", form.form_status, name="form_status"),
    path("form/<slug:section>/", form.section_save, name="section"),
    path("form/phone/code/", phone.phone_send_code, name="phone_send_code"),
    path("cascade/", form.cascade, name="cascade"),
    path("units/", form.unit_search, name="unit_search"),
    path("units/request/", form.unit_request, name="unit_request"),
    path("images/", form.images_panel, name="images_panel"),
    path("images/upload/", uploads.image_upload, name="image_upload"),
    path("images/slot/", uploads.image_slot, name="image_slot"),
    path("images/<int:pk>/delete/", uploads.image_delete, name="image_delete"),
    path("submit/", submission.submit, name="submit"),
    path("withdraw/", submission.withdraw, name="withdraw"),
    path("progress/", submission.progress, name="progress"),
    path("confirmation.pdf", submission.confirmation, name="confirmation"),
]
