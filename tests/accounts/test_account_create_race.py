"""Two admins create the same login name at the same moment: one account, the other told the name is taken."""

import pytest
from django.core.exceptions import ValidationError

from prereg.accounts import services
from prereg.accounts.models import Role, User
from tests.applications.test_one_writer_races import paused_after, started

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_second_of_two_creations_of_one_name_is_refused_at_the_field_not_a_server_error(
        postgres_only, monkeypatch, tree, reviewer_province):
    reached, go_on = paused_after(monkeypatch, services, "clean_person_name")  # past the name's check
    outcomes = {}
    first = started(outcomes, "first", lambda: services.account_create(
        actor=reviewer_province, org=tree["350102"], role=Role.POINT, username="gulou-9", name="林一"))
    assert reached.wait(10)
    services.account_create(actor=reviewer_province, org=tree["350102"], role=Role.POINT, username="gulou-9")
    go_on.set()
    first.join(10)
    refused = outcomes["first"]
    assert isinstance(refused, ValidationError), refused
    assert refused.message_dict == {"username": ["该登录名已被使用。"]}
    assert User.objects.filter(username="gulou-9").count() == 1
