"""The 图形验证码 picture, for the anonymous pages that ask for it (sign-up, 找回密码).

django-simple-captcha's own view, opened to anonymous visitors (every other URL needs a login);
its widget finds it by the un-namespaced name "captcha-image". The picture, and the package's
refresh view for 看不清，换一张 (a new key and its picture's address, as JSON, asked by script with
X-Requested-With: XMLHttpRequest); no audio.
"""

from captcha import views
from django.contrib.auth.decorators import login_not_required
from django.urls import path

urlpatterns = [
    path("image/<str:key>/", login_not_required(views.captcha_image), {"scale": 1}, name="captcha-image"),
    path("refresh/", login_not_required(views.captcha_refresh), name="captcha-refresh"),
]
