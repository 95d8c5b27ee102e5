from .access import STAFF_ROLES
from .nav import sidebar_for


def nav(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.role not in STAFF_ROLES:
        return {}
    unread = list(user.notices.filter(read_at__isnull=True)[:50])
    return {
        "sidebar": sidebar_for(user, request.path),
        "unread_notices": len(unread),
        # The corner popup of returned applications (reviewer manual 五.3), on every page.
        "popup_notices": unread[:3],
    }
