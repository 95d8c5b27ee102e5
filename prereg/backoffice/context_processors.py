from .access import STAFF_ROLES
from .nav import sidebar_for


def nav(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.role not in STAFF_ROLES:
        return {}
    unread = user.notices.filter(read_at__isnull=True).count()
    return {"sidebar": sidebar_for(user, request.path), "unread_notices": unread}
