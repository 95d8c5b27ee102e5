"""`make bench`: runs the benchmarks in bench/ and writes var/bench/results.json."""

import sys

print("benchmarks: none yet", file=sys.stderr)
