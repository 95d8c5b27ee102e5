"""Who may enter the back office, and the function checks of its views."""

from functools import wraps

from django.core.exceptions import PermissionDenied

from prereg.accounts.models import Role
from prereg.accounts.permissions import require_function

STAFF_ROLES = {Role.SYSADMIN, Role.DISTRICT, Role.SITE, Role.POINT, Role.UNIT, Role.AUDITOR}


def staff_required(function: str | None = None):
    """Decorator: a back-office user, holding `function` of the permission table if given."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.role not in STAFF_ROLES:
                raise PermissionDenied("该页面仅供审核及管理人员使用。")
            if function is not None:
                require_function(request.user, function)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
