"""Demo accounts: one per role (reviewers at every level of the tree) and candidates."""

import datetime
import secrets
import string

from django.conf import settings

from prereg.accounts.models import Role, User
from prereg.core.validators import id_check_char

PASSWORD_FILE = settings.VAR_DIR / "demo-password.txt"

# (username, role, org code, name, profile completed)
STAFF = [
    ("admin", Role.SYSADMIN, None, "系统管理员", True),
    ("auditor", Role.AUDITOR, None, "审计管理员", True),
    ("350000", Role.DISTRICT, "350000", "林宁", True),
    ("350100", Role.SITE, "350100", "陈芳", True),
    ("350500", Role.SITE, "350500", "黄志强", True),
    ("350800", Role.SITE, "350800", "吴丽", True),
    ("350102", Role.POINT, "350102", "郑海", True),
    ("350122", Role.POINT, "350122", "", False),  # first login: profile and password to complete
    ("350524", Role.POINT, "350524", "许文", True),
    ("35010001", Role.POINT, "35010001", "刘洋", True),
    ("35000001", Role.POINT, "35000001", "王广军", True),
    ("35000003", Role.POINT, "35000003", "蔡敏", True),
    ("35000004", Role.POINT, "35000004", "张力", True),
    ("35080001", Role.POINT, "35080001", "邱明", True),
    ("350128", Role.SITE, "350128", "游倩", True),
    # The other cities' 考点 (issue 17: all nine cities and 平潭 are 考点).
    ("350200", Role.SITE, "350200", "洪雅", True),
    ("350300", Role.SITE, "350300", "方圆", True),
    ("350400", Role.SITE, "350400", "罗斌", True),
    ("350600", Role.SITE, "350600", "杨帆", True),
    ("350700", Role.SITE, "350700", "江涛", True),
    ("350900", Role.SITE, "350900", "叶青", True),
    ("35052401", Role.UNIT, "35052401", "苏婷", True),
    ("35012205", Role.UNIT, "35012205", "林涛", True),
]


def demo_password() -> str:
    """One random password for the demo accounts, made at the first seed and kept in var/."""
    if PASSWORD_FILE.exists():
        return PASSWORD_FILE.read_text().strip()
    alphabet = string.ascii_letters + string.digits
    password = "Demo-" + "".join(secrets.choice(alphabet) for _ in range(8)) + "7a"
    PASSWORD_FILE.write_text(password + "\n")
    PASSWORD_FILE.chmod(0o600)
    return password


def make_id_number(region: str, birth: datetime.date, sequence: int) -> str:
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + id_check_char(body)


def seed_staff(orgs, password) -> list[User]:
    users = []
    for username, role, org_code, name, completed in STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            org = orgs.get(org_code) if org_code else None
            user = User(username=username, role=role, org=org, name=name or "", profile_completed=completed,
                        title="科员" if completed else "", department="人事科" if completed else "",
                        phone=f"1380000{len(users):04d}" if completed else "")
            user.set_password(password)
            user.save()
        users.append(user)
    return users


# (login id sequence, name, gender, birth, region, phone)
CANDIDATES = [
    ("曹操", "M", datetime.date(1990, 9, 9), "350111", "15005000404"),
    ("李娜", "F", datetime.date(1992, 3, 14), "350524", "15005000405"),
    ("王强", "M", datetime.date(1988, 7, 21), "350102", "15005000406"),
    ("陈静", "F", datetime.date(1991, 1, 30), "350122", "15005000407"),
    ("林峰", "M", datetime.date(1987, 11, 2), "350100", "15005000408"),
    ("黄敏", "F", datetime.date(1993, 5, 18), "350500", "15005000409"),
    ("周杰", "M", datetime.date(1989, 8, 8), "350800", "15005000410"),
    ("吴芳", "F", datetime.date(1994, 12, 1), "350102", "15005000411"),
]


def seed_candidates(password) -> list[User]:
    users = []
    for i, (name, gender, birth, region, phone) in enumerate(CANDIDATES):
        sequence = 100 + i * 2 + (1 if gender == "M" else 0)
        users.append(candidate_account(name, make_id_number(region, birth, sequence), phone, password))
    return users


def candidate_account(name: str, id_number: str, phone: str, password: str | None = None) -> User:
    """The candidate of this resident ID number, created if missing; without a password he cannot
    sign in (Django's set_password(None) is an unusable one)."""
    user = User.objects.filter(id_number=id_number).first()
    if user is None:
        user = User(username=id_number, role=Role.CANDIDATE, name=name, id_type="resident", id_number=id_number,
                    phone=phone)
        user.set_password(password)
        user.save()
    return user
