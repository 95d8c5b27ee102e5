"""Acts run at the same moment, for the race tests (on PostgreSQL: SQLite takes one writer at a time)."""

import threading

from django.db import connection


def at_once(*acts):
    """Run every act at once (threads released by a barrier); their outcomes, in order: what each
    returned, or the exception it met (a refusal is an outcome the tests compare)."""
    barrier = threading.Barrier(len(acts))
    outcomes = [None] * len(acts)

    def run(i, act):
        try:
            barrier.wait()
            outcomes[i] = act()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test looks at
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, act)) for i, act in enumerate(acts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
