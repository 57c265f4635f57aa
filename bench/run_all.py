"""Run every benchmark in turn (`make bench`); each prints its own figures."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = [
    ["naics_eval.py"],
    ["match_latency.py"],
    ["pool_page.py"],
    ["import_pool.py"],
    ["insights.py"],
]


def main() -> int:
    failed = 0
    for argv in BENCHES:
        print(f"\n=== bench/{' '.join(argv)} ===", flush=True)
        failed |= subprocess.call([sys.executable, str(HERE / argv[0]), *argv[1:]])
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
