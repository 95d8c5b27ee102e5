"""Solving the 图形验证码 in tests the way a person reads the picture: its answer is in
django-simple-captcha's store (CaptchaStore), keyed by the hidden field the page carries.
No test mode: the check the pages run is the real one."""

import re


def answer(key: str) -> str:
    from captcha.models import CaptchaStore

    return CaptchaStore.objects.get(hashkey=key).response


def solved() -> dict:
    """A fresh picture's fields, answered (as a browser would post them after reading it)."""
    from captcha.models import CaptchaStore

    key = CaptchaStore.generate_key()
    return {"captcha_0": key, "captcha_1": answer(key)}


def solved_on(html: str) -> dict:
    """The fields of the picture a page shows, answered."""
    key = re.search(r'name="captcha_0" value="(\w+)"', html).group(1)
    return {"captcha_0": key, "captcha_1": answer(key)}
