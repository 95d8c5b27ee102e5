"""Login by account name, ID number or phone, all resolving to one account."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from prereg.core.validators import is_digits, normalize_id_number, normalize_mobile


def find_account(identifier: str):
    """The account an identifier names: login name, then ID number, then a unique phone."""
    User = get_user_model()
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    user = User.objects.filter(username=identifier).first()
    if user is None:
        user = User.objects.filter(id_number=normalize_id_number(identifier)).first()
    if user is None:
        phone = normalize_mobile(identifier)
        if is_digits(phone) and len(phone) == 11:
            matches = list(User.objects.filter(phone=phone, is_active=True)[:2])
            # A phone shared by two accounts identifies neither: the user must use his name/ID.
            if len(matches) == 1:
                user = matches[0]
    return user


def axes_username(request, credentials):
    """Lockout is per account, whichever identifier was typed (django-axes hook)."""
    identifier = (credentials or {}).get("username") or request.POST.get("username", "")
    user = find_account(identifier)
    return user.username if user else identifier.strip()


class IdentifierBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = find_account(username)
        if user is None:
            # Run the hasher anyway so a wrong name takes as long as a wrong password.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def user_can_authenticate(self, user):
        """An inactive account, or one of a disabled org (禁用机构账户), cannot log in; since
        get_user() asks the same on every request, disabling also ends its open sessions."""
        if not super().user_can_authenticate(user):
            return False
        org = getattr(user, "org", None) if getattr(user, "org_id", None) else None
        return org is None or org.enabled

    def get_user(self, user_id):
        try:
            user = get_user_model()._default_manager.select_related("org").get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
