"""The explicit allow-list of pages an anonymous visitor may open.

Each view here carries @login_not_required; tests/core/test_pages.py proves no other URL
answers an anonymous request with anything but a redirect to the login page.
"""

PUBLIC_VIEWS = {
    "accounts:login",
    "accounts:logout",
    "accounts:password_forgot",
    "accounts:password_forgot_reset",
    "candidate:signup",
    "candidate:signup_send_code",
    "captcha-image",  # the 图形验证码 picture of the sign-up and 找回密码 pages
    "core:healthz",
}
