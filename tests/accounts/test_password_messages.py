"""The password rules speak in our own words, once each."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.factories import UserFactory


def refusals(password, user=None) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    return refused.value.messages


@pytest.mark.django_db
def test_a_password_like_the_username_is_refused_without_stray_spaces():
    user = UserFactory(username="chenxiaoming")
    [message] = [m for m in refusals("Chenxiaoming", user) if "相似" in m]
    assert message == "密码与用户名过于相似，请重新设置。"


@pytest.mark.django_db
def test_an_all_digit_password_is_refused_by_the_character_classes_not_twice():
    messages = refusals("20261207")
    assert "密码须包含大写字母、小写字母、数字、符号中的至少三类。" in messages
    assert "密码只包含数字。" not in messages  # Django's NumericPasswordValidator said it again
    assert all(" " not in m for m in messages)
