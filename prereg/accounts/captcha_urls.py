"""The 图形验证码 picture, for the anonymous pages that ask for it (sign-up, 找回密码).

django-simple-captcha's own view, opened to anonymous visitors (every other URL needs a login);
its widget finds it by the un-namespaced name "captcha-image". Only the picture: no audio, no
refresh endpoint (a page that needs a new picture renders a new field).
"""

from captcha import views
from django.contrib.auth.decorators import login_not_required
from django.urls import path

urlpatterns = [
    path("image/<str:key>/", login_not_required(views.captcha_image), {"scale": 1}, name="captcha-image"),
]
