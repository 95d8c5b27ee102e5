"""Password hashing: Argon2id at the OWASP Password Storage Cheat Sheet's parameters.

Django's default PBKDF2 (1,000,000 SHA-256 iterations in Django 5.2) takes its strength from CPU
time spent at every sign-in, so on the last day of registration candidates signing in at once
would queue behind each other on a small server. Argon2id with 19 MiB of memory, 2 passes and one
lane (OWASP's first recommended configuration) resists GPU cracking at least as well while costing
far less CPU, because its strength comes from memory rather than from CPU time.

The algorithm name stays "argon2", so Django's `must_update` compares a stored hash's parameters
with these and re-hashes at the next sign-in whenever they change (in either direction); PBKDF2
and scrypt stay listed after this hasher in settings.PASSWORD_HASHERS, so older hashes still
verify and are upgraded to Argon2id the next time their owner signs in.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher, get_hasher, make_password


class Argon2idPasswordHasher(Argon2PasswordHasher):
    # Django's parent class already uses the Argon2id variant (Type.ID); only the costs differ.
    time_cost = 2
    memory_cost = 19 * 1024  # KiB, i.e. 19 MiB
    parallelism = 1


class OneTimeArgon2idPasswordHasher(Argon2idPasswordHasher):
    """Hashes a random one-time password made by the system (12 characters of 64: over 70 bits),
    which its holder must replace at the first sign-in: guessing it is out of reach whatever the
    hash costs, so it needs no memory-hard cost, and a sheet of 2,000 accounts does not pay that
    cost 2,000 times. The parameters live in the hash, so the default
    hasher verifies it (same algorithm name) and re-hashes at the next sign-in (must_update)."""

    time_cost = 1
    memory_cost = 1024  # KiB
    parallelism = 1


def hash_one_time_password(raw: str) -> str:
    """The hash of a generated one-time password: light Argon2id where Argon2id is the default
    hasher (a deployment, or tests, with another default use it unchanged)."""
    if get_hasher().algorithm == Argon2idPasswordHasher.algorithm:
        return make_password(raw, hasher=OneTimeArgon2idPasswordHasher())
    return make_password(raw)
