"""Passwords are hashed with Argon2id at OWASP's parameters; older hashes verify and are upgraded."""

import argon2
import pytest
from django.contrib.auth.hashers import (
    PBKDF2PasswordHasher,
    ScryptPasswordHasher,
    check_password,
    make_password,
)
from django.urls import reverse

from config import settings as project_settings
from tests.factories import TEST_PASSWORD, CandidateFactory


@pytest.fixture
def production_hashers(settings):
    """The project's own hasher list (tests otherwise run on MD5 for speed)."""
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def test_project_hashes_with_argon2id_first_and_keeps_pbkdf2_and_scrypt_to_verify():
    assert project_settings.PASSWORD_HASHERS[0] == "prereg.accounts.hashers.Argon2idPasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in project_settings.PASSWORD_HASHERS[1:]
    assert "django.contrib.auth.hashers.ScryptPasswordHasher" in project_settings.PASSWORD_HASHERS[1:]


def test_a_new_password_is_argon2id_with_owasp_parameters(production_hashers):
    encoded = make_password("Xk#29fLq!pass")
    assert encoded.startswith("argon2$argon2id$")
    params = argon2.extract_parameters(encoded.removeprefix("argon2"))
    assert params.type == argon2.Type.ID
    assert (params.memory_cost, params.time_cost, params.parallelism) == (19 * 1024, 2, 1)
    assert check_password("Xk#29fLq!pass", encoded)
    assert not check_password("Xk#29fLq!pasS", encoded)


def test_argon2_hash_with_other_parameters_is_upgraded_at_next_check(production_hashers):
    # Django's stock Argon2 costs (100 MiB, 8 lanes): same algorithm name, different parameters.
    from django.contrib.auth.hashers import Argon2PasswordHasher

    old = Argon2PasswordHasher().encode("Xk#29fLq!pass", "saltsaltsaltsalt")
    upgraded = []
    assert check_password("Xk#29fLq!pass", old, setter=upgraded.append)
    assert upgraded == ["Xk#29fLq!pass"]


@pytest.mark.parametrize("old_hasher", [PBKDF2PasswordHasher, ScryptPasswordHasher])
def test_an_older_hash_verifies_and_is_rehashed_as_argon2id_on_login(client, db, production_hashers, old_hasher):
    candidate = CandidateFactory()
    hasher = old_hasher()
    extra = {"iterations": 1000} if old_hasher is PBKDF2PasswordHasher else {}  # a cheap but real hash
    candidate.password = hasher.encode(TEST_PASSWORD, hasher.salt(), **extra)
    candidate.save(update_fields=["password"])

    response = client.post(reverse("accounts:login"), {"username": candidate.username, "password": TEST_PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(candidate.pk)
    candidate.refresh_from_db()
    assert candidate.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password(TEST_PASSWORD, candidate.password)


def test_a_wrong_password_leaves_an_older_hash_alone(client, db, production_hashers):
    candidate = CandidateFactory()
    hasher = PBKDF2PasswordHasher()
    candidate.password = hasher.encode(TEST_PASSWORD, hasher.salt(), iterations=1000)
    candidate.save(update_fields=["password"])
    before = candidate.password

    response = client.post(reverse("accounts:login"), {"username": candidate.username, "password": "wrong-one"})

    assert response.status_code == 200
    candidate.refresh_from_db()
    assert candidate.password == before
