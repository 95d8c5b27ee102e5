"""Accounts: one user model for candidates, reviewers and administrators."""

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Lower


class Role(models.TextChoices):
    SYSADMIN = "sysadmin", "系统管理"
    DISTRICT = "district", "考区"
    SITE = "site", "考点"
    POINT = "point", "报名点"
    UNIT = "unit", "单位"
    CANDIDATE = "candidate", "考生"
    AUDITOR = "auditor", "审计管理员"

    @classmethod
    def reviewer_roles(cls):
        return (cls.DISTRICT, cls.SITE, cls.POINT, cls.UNIT)


# Rank of the reviewer roles, top down: a reviewer administers accounts of lower rank only.
ROLE_RANK = {Role.SYSADMIN: 0, Role.DISTRICT: 1, Role.SITE: 2, Role.POINT: 3, Role.UNIT: 4}


def outranks(role: str, disabled_by_role: str) -> bool:
    """Whether `role` ranks above the role that disabled an account or org (any role outranks "": enabled, or
    disabled before the role was kept): it then takes that 禁用 over. One below it may not enable it again."""
    return not disabled_by_role or ROLE_RANK.get(role, 99) < ROLE_RANK.get(disabled_by_role, 99)


def disabled_above(role: str, disabled_by_role: str) -> bool:
    """Disabled by a higher rank than `role`: not for `role` to enable again (security probe F4)."""
    return bool(disabled_by_role) and ROLE_RANK.get(disabled_by_role, 99) < ROLE_RANK.get(role, 99)


def roles_below(role: str) -> list[str]:
    """The reviewer roles of lower rank than `role`: those it creates and administers (none for a
    role without a rank)."""
    rank = ROLE_RANK.get(role)
    return [] if rank is None else [r for r in Role.reviewer_roles() if ROLE_RANK[r] > rank]


class IdType(models.TextChoices):
    RESIDENT = "resident", "居民身份证"
    HKMO_PERMIT = "hkmo_permit", "港澳居民居住证"
    TW_PERMIT = "tw_permit", "台湾居民居住证"
    PASSPORT = "passport", "护照"


class UserQuerySet(models.QuerySet):
    def staff_visible_to(self, user):
        """Reviewer accounts a back-office user may see: those of his subtree (sysadmin: all)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        staff = self.filter(role__in=Role.reviewer_roles())
        if user.role == Role.SYSADMIN:
            return staff
        if user.role in Role.reviewer_roles() and user.org_id:
            return staff.filter(org__path__startswith=user.org.path)
        return self.none()

    def active_reviewers(self):
        """Reviewer accounts that can sign in and act: an org applications reach needs one (禁用 of its last,
        退回上一环节 to it, a 交叉审核 assignment to it)."""
        return self.filter(role__in=Role.reviewer_roles(), is_active=True)

    def administered_by(self, user):
        """Reviewer accounts a user may reset or disable: in his subtree and of lower rank."""
        return self.staff_visible_to(user).filter(role__in=roles_below(user.role)).exclude(pk=user.pk)

    def in_lock_order(self):
        """In the order every act row-locks accounts: higher rank first, then pk. An act holds its actor's
        account (accounts.services.actor_held) before the lower ones it acts on; a superior's act on both
        (禁用 of a 考点 and a unit under it, a staff import, 开启新年度) that took the unit's older row first
        deadlocked with the 考点's own act on the unit (race probe)."""
        rank = Case(*(When(role=role, then=Value(n)) for role, n in ROLE_RANK.items()), default=Value(len(ROLE_RANK)))
        return self.order_by(rank, "pk")


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.CANDIDATE, db_index=True)
    org = models.ForeignKey(
        "orgs.Org", verbose_name="所属机构", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机号码", max_length=20, blank=True, db_index=True)
    id_type = models.CharField("证件类型", max_length=20, choices=IdType.choices, blank=True)
    id_number = models.CharField("证件编号", max_length=30, null=True, blank=True, unique=True)
    title = models.CharField("职务", max_length=50, blank=True)
    department = models.CharField("科室", max_length=50, blank=True)
    # Set on a one-time password: the user must choose his own before anything else.
    must_change_password = models.BooleanField(default=False)
    # When services.set_one_time_password issued the one-time password (shown once or sent by SMS):
    # it signs in for ONE_TIME_PASSWORD_TTL_HOURS only. None: the password is the holder's own, or
    # came in a password sheet, which is read and handed down through the org tree in its own time.
    one_time_password_set_at = models.DateTimeField(null=True, blank=True)
    # Reviewers complete name, post/department and contact at first login (manual section 一).
    profile_completed = models.BooleanField(default=False)
    created_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The role of whoever disabled the account (禁用), "" while it is enabled: an account is enabled
    # again only by that rank or a higher one (accounts.services.account_set_active), so a subordinate
    # does not undo his superior's 禁用. Accounts disabled before this was kept have "".
    disabled_by_role = models.CharField("禁用者角色", max_length=20, choices=Role.choices, blank=True, default="")
    # Raised by every change of the holder's details (accounts.services.account_update): a page
    # carries the version it was loaded with, so an edit made meanwhile is not overwritten.
    version = models.PositiveIntegerField(default=0)

    objects = UserManager()

    class Meta:
        verbose_name = "用户"
        constraints = [
            models.CheckConstraint(
                condition=Q(role=Role.CANDIDATE) | Q(role=Role.SYSADMIN) | Q(role=Role.AUDITOR) | Q(org__isnull=False),
                name="reviewer_has_org",
            ),
            # A staff login name is one name whatever its case (accounts.validators): two creations of
            # ADMIN and admin at the same moment, or an import beside a creation, leave one of them.
            models.UniqueConstraint(Lower("username"), condition=~Q(role=Role.CANDIDATE),
                                    name="staff_login_name_ci"),
        ]

    def __str__(self):
        return self.name or self.username

    @property
    def is_candidate(self) -> bool:
        return self.role == Role.CANDIDATE

    @property
    def is_reviewer(self) -> bool:
        return self.role in Role.reviewer_roles()

    @property
    def display_name(self) -> str:
        return self.name or self.username


class PasswordHistory(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "历史密码"
        ordering = ["-created_at"]


class RolePermission(models.Model):
    """A change to the default permission table (配置角色权限); absent rows mean the default."""

    role = models.CharField(max_length=20, choices=Role.choices)
    function = models.CharField(max_length=40)
    allowed = models.BooleanField()
    changed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "角色权限"
        constraints = [models.UniqueConstraint(fields=["role", "function"], name="one_override_per_cell")]
