"""The 图形验证码 picture, for the anonymous pages that ask for it (sign-up, 找回密码).

django-simple-captcha's own view, opened to anonymous visitors (every other URL needs a login);
its widget finds it by the un-namespaced name "captcha-image". The picture, and the package's
refresh view for 看不清，换一张 (a new key and its picture's address, as JSON, asked by script with
X-Requested-With: XMLHttpRequest); no audio.

Each refresh writes a row (a new key and its answer) for anyone who asks: it is limited per client
address (REFRESH_LIMIT, or RATE_LIMITS["captcha_refresh"]), else a script wrote hundreds of rows a
second (security probe F7). Over the limit the answer is a 429 with a JSON error, which the page's
script reports beside the picture (app.js); the picture already shown stays answerable.
"""

from captcha import views
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.urls import path

from prereg.core import ratelimit

SCOPE = "captcha_refresh"
# A person refreshes a few times per form; a large hospital behind one address signs its staff up
# (signup_address allows 1000 sign-ups an hour): 100 in any 5 minutes is 1200 an hour.
REFRESH_LIMIT = (100, 300)


def _limits() -> tuple[int, int]:
    return tuple(getattr(settings, "RATE_LIMITS", {}).get(SCOPE, REFRESH_LIMIT))


@login_not_required
def captcha_refresh(request):
    """看不清，换一张: the package's refresh, counted per client address first."""
    limit, window = _limits()
    key = ratelimit.client_address(request)
    if not ratelimit.hit(SCOPE, key, limit=limit, window=window):
        wait = ratelimit.spent(SCOPE, key, limit=limit, window=window) or window
        response = JsonResponse({"error": ratelimit.MESSAGE}, status=429)
        response["Retry-After"] = str(wait)
        return response
    return views.captcha_refresh(request)


urlpatterns = [
    path("image/<str:key>/", login_not_required(views.captcha_image), {"scale": 1}, name="captcha-image"),
    path("refresh/", captcha_refresh, name="captcha-refresh"),
]
