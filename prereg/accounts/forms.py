from captcha.conf import settings as captcha_settings
from captcha.fields import CaptchaField, CaptchaTextInput
from captcha.models import CaptchaStore
from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.utils import timezone

from prereg.core.forms import LineField
from prereg.core.validators import (
    clean_person_name,
    halfwidth,
    is_digits,
    normalize_mobile,
    parse_id_number,
    validate_mobile,
)

from .backends import login_refusal
from .services import check_old_password


class IdentifierInput(forms.TextInput):
    """Echoes a typed login name or phone back, but never a full ID number (docs/security.md: no
    full ID number on pages not meant to show it; 登录 and 找回密码 are open to anyone at a shared
    computer). A number withheld is said at the box, which would otherwise empty itself without a
    word after a wrong captcha or password (phone probe: 18 digits to type again, unexplained)."""

    template_name = "accounts/identifier_input.html"

    @staticmethod
    def withholds(value) -> bool:
        if not value:
            return False
        try:
            parse_id_number(str(value))
        except forms.ValidationError:
            return False  # not an ID number: shown as typed
        return True

    def format_value(self, value):
        return None if self.withholds(value) else super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        if self.withholds(value) and widget["attrs"].get("id"):
            widget["withheld_note_id"] = note = f"{widget['attrs']['id']}_withheld"
            # Read first when the box (autofocused) is reached; the field's help and error follow.
            widget["attrs"]["aria-describedby"] = " ".join(filter(None, [note, widget["attrs"].get("aria-describedby")]))
        return context


class LoginForm(forms.Form):
    username = forms.CharField(label="账号", max_length=50, error_messages={"required": "请填写账号。"},
                               widget=IdentifierInput(attrs={"autocomplete": "username", "autofocus": True}),
                               help_text="审核人员：登录名或手机号；考生：证件编号或手机号")
    password = forms.CharField(label="密码", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user = None
        self.refused = None  # the account, when the password was right but it may not sign in
        super().__init__(*args, **kwargs)

    def clean(self):
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if username and password:
            self.user = authenticate(self.request, username=username, password=password)
            if self.user is None:
                raise forms.ValidationError("账号或密码错误。连续5次错误将锁定账号。", code="invalid_login")
            self.confirm_login_allowed(self.user)
        return self.cleaned_data

    def confirm_login_allowed(self, user):
        """The account or its org disabled, or 登录 withdrawn from its role (配置角色权限): said only
        now that the password was right, so the answer tells no one else whether the account exists."""
        if reason := login_refusal(user):
            self.user, self.refused = None, user
            raise forms.ValidationError(reason, code="login_refused")


class NewPasswordForm(forms.Form):
    """A new password typed twice, checked against the password rules for `user` (None: no account
    details to compare with)."""

    # The phone's password manager offers a strong password here and keeps it (phone probe).
    new_password1 = forms.CharField(label="新密码", strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    new_password2 = forms.CharField(label="确认新密码", strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        p1, p2 = self.cleaned_data.get("new_password1"), self.cleaned_data.get("new_password2")
        if p1 and p2 and p1 != p2:
            self.add_error("new_password2", "两次输入的密码不一致。")
        elif p1:
            try:
                validate_password(p1, self.user)
            except forms.ValidationError as exc:
                self.add_error("new_password1", exc)
        return self.cleaned_data


class PasswordChangeForm(NewPasswordForm):
    """修改密码 and the first login's: the old password is checked as a sign-in's would be, counted
    towards the account's lockout and audited (services.check_old_password, with the `request`)."""

    old_password = forms.CharField(label="原密码", strip=False,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    field_order = ["old_password"]

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        check_old_password(user=self.user, password=value, request=self.request)
        return value

    @property
    def locked_now(self) -> bool:
        """This post's wrong old password locked the account: the view signs the session out."""
        return self.has_error("old_password", code="locked_now")


class OwnPhoneForm(forms.Form):
    """A reviewer's own phone and the code that confirms a new one (找回密码 sends its codes there):
    the one pair of fields of 个人信息 and of the first login. The rule is the service's
    (accounts.services.confirm_own_phone); 获取验证码 is services.profile_send_code on both pages."""

    phone = forms.CharField(label="手机号码", max_length=20,
                            help_text="修改手机号码须先点击“获取验证码”，填写发送到新号码的短信验证码。")
    sms_code = forms.CharField(label="短信验证码", max_length=6, required=False,
                               widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class ProfileForm(OwnPhoneForm):
    """完善个人信息 at the first login."""

    name = forms.CharField(label="姓名", max_length=50)
    title = LineField(label="职务", max_length=50)  # core.validators.clean_line, as the service reads them
    department = LineField(label="科室", max_length=50)
    field_order = ["name", "title", "department", "phone", "sms_code"]

    def clean_name(self):
        return clean_person_name(self.cleaned_data["name"])

    def clean_phone(self):
        value = normalize_mobile(self.cleaned_data["phone"])
        validate_mobile(value)
        return value


class CaptchaInput(CaptchaTextInput):
    """The picture and its answer box, the picture described in Chinese."""

    template_name = "accounts/captcha_widget.html"


class SingleUseCaptchaField(CaptchaField):
    """One answered picture, one pass, also for posts at the same moment. django-simple-captcha's
    clean reads the picture's row and then deletes it: posts of one answer at once all read it before
    any deleted it, and all passed (security probe F2: two 找回密码 codes for one picture). Here the
    row is claimed by a delete whose count tells who got it: of posts at once, one deletes it and
    the others delete nothing and are refused. A wrong answer spends the picture too, as the package
    does (one try per picture). No CAPTCHA_TEST_MODE: the check is the real one, in tests too."""

    def clean(self, value):
        forms.MultiValueField.clean(self, value)  # required and incomplete, as the package's field
        key, response = value[0], (value[1] or "").strip().lower()
        value[1] = ""  # the answer is not shown again
        if not captcha_settings.CAPTCHA_GET_FROM_POOL:
            CaptchaStore.remove_expired()
        store = CaptchaStore.objects.filter(hashkey=key, expiration__gt=timezone.now()).first()
        claimed = store is not None and CaptchaStore.objects.filter(pk=store.pk).delete()[0] == 1
        if not claimed or store.response != response:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return value


def captcha_field() -> CaptchaField:
    """图形验证码 (django-simple-captcha): one answer per picture, drawn on the server; every page that
    asks for it (sign-up's second code, 找回密码) takes this field."""
    return SingleUseCaptchaField(label="图形验证码", widget=CaptchaInput(),
                                 help_text="请输入图中的字母，不区分大小写；看不清可点“看不清，换一张”。",
                                 error_messages={"invalid": "图形验证码错误，请看清后重新输入。",
                                                 "incomplete": "请输入图形验证码。", "required": "请输入图形验证码。"})


class CaptchaForm(forms.Form):
    """The 图形验证码 alone, where a page asks for it only sometimes (a second sign-up code)."""

    captcha = captcha_field()


class PasswordForgotForm(forms.Form):
    identifier = forms.CharField(label="账号", max_length=50, error_messages={"required": "请填写账号。"},
                                 help_text="审核人员：登录名或手机号；考生：证件编号或手机号",
                                 widget=IdentifierInput(attrs={"autocomplete": "username", "autofocus": True}))
    # Before every code of 找回密码 (issue 16): codes are not sent for a script.
    captcha = captcha_field()


class PasswordForgotResetForm(NewPasswordForm):
    code = forms.CharField(label="短信验证码", max_length=6, min_length=6,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))
    field_order = ["code"]

    def clean_code(self):
        value = halfwidth(self.cleaned_data["code"]).strip()  # full-width digits too, as the ID number
        if not is_digits(value):
            raise forms.ValidationError("验证码为6位数字。")
        return value


class ProfileEditForm(OwnPhoneForm):
    """个人信息: a reviewer's own details; a new phone needs the code sent to it (accounts.services)."""

    name = forms.CharField(label="姓名", max_length=50)
    title = LineField(label="职务", max_length=50)
    department = LineField(label="科室", max_length=50)
    field_order = ["name", "title", "department", "phone", "sms_code"]


class AccountEditForm(forms.Form):
    """A superior corrects an account holder's name and phone (用户管理)."""

    name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(label="手机号码", max_length=20)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, phone_editable: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not phone_editable:  # shown, not posted: the service refuses a new number from this actor too
            self.fields["phone"].disabled = True
            self.fields["phone"].help_text = "找回密码的验证码发送到该号码，修改须有“重置审核账户密码”的权限。"
