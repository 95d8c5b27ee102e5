"""Password hashing: Argon2id at the OWASP Password Storage Cheat Sheet's parameters.

Django's default PBKDF2 (1,000,000 SHA-256 iterations in Django 5.2) costs about 0.6 s of CPU per
sign-in on a 2-core server, so on the last day of registration a few dozen candidates signing in
at once would queue behind each other for seconds. Argon2id with 19 MiB of memory, 2 passes and
one lane (OWASP's first recommended configuration) resists GPU cracking at least as well while
costing tens of milliseconds, because its strength comes from memory rather than from CPU time.

The algorithm name stays "argon2", so Django's `must_update` compares a stored hash's parameters
with these and re-hashes at the next sign-in whenever they change (in either direction); PBKDF2
and scrypt stay listed after this hasher in settings.PASSWORD_HASHERS, so older hashes still
verify and are upgraded to Argon2id the next time their owner signs in.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    # Django's parent class already uses the Argon2id variant (Type.ID); only the costs differ.
    time_cost = 2
    memory_cost = 19 * 1024  # KiB, i.e. 19 MiB
    parallelism = 1
