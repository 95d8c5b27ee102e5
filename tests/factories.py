"""Factories for every model the tests build (factory_boy), in one place."""

import datetime

import factory
from django.utils import timezone

from prereg.accounts.models import Role, User
from prereg.catalog.models import ExamYear
from prereg.demo.people import make_id_number
from prereg.orgs.models import Org

TEST_PASSWORD = "Ceshi#2026pw"  # noqa: S105


class OrgFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Org

    code = factory.Sequence(lambda n: f"9{n:07d}")
    name = factory.Sequence(lambda n: f"测试单位{n}")
    is_unit = True


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.CANDIDATE
    profile_completed = True
    phone = factory.Sequence(lambda n: f"139{n:08d}")

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or TEST_PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class CandidateFactory(UserFactory):
    role = Role.CANDIDATE
    id_type = "resident"
    id_number = factory.Sequence(lambda n: make_id_number("350102", datetime.date(1990, 1, 1), n % 1000))
    username = factory.SelfAttribute("id_number")


class ExamYearFactory(factory.django.DjangoModelFactory):
    """A year whose candidate window contains today."""

    class Meta:
        model = ExamYear
        django_get_or_create = ("year",)

    year = factory.LazyFunction(lambda: timezone.localdate().year + 1)
    name = factory.LazyAttribute(lambda o: f"{o.year}年度")
    form_opens = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=5))
    form_closes = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=10))
    national_opens = factory.LazyFunction(lambda: timezone.localdate())
    national_closes = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=10))
    confirm_deadline = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=12))
    cutoff_date = factory.LazyAttribute(lambda o: datetime.date(o.year - 1, 12, 31))
    is_current = True
