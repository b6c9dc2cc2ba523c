"""Hostile inputs: how many were tried, refused clearly, crashed, or got written?

    python bench/hostile_inputs.py                 # 40 Hypothesis examples per command
    python bench/hostile_inputs.py --examples 200  # more

Runs the property tests of tests/trust (every write command and every import format,
one hostile field per case) and the malformed-file corpus (every format), counting each
outcome, and prints: inputs tried / clear errors / tracebacks / wrongly written. A clear
error is exit 1 with one line naming the field (imports: each line names the file and
where in it). Prints figures; asserts nothing (the tests do).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=40, help="Hypothesis examples per test")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        figures = Path(folder) / "figures.json"
        env = {
            **os.environ,
            "CREDTRAIL_HOSTILE_FIGURES": str(figures),
            "CREDTRAIL_HOSTILE_EXAMPLES": str(args.examples),
        }
        tests = ["tests/trust/test_hostile_inputs.py", "tests/trust/test_malformed_files.py"]
        run = subprocess.run(
            [str(Path(sys.executable).parent / "pytest"), "-q", "-p", "no:randomly", *tests],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        counts = json.loads(figures.read_text()) if figures.exists() else {}
    tail = run.stdout.strip().splitlines()[-1:] or ["(no output)"]
    print(f"tests: {tail[0]}")
    for key in ("tried", "clear errors", "tracebacks", "wrongly written", "unclear errors"):
        print(f"{key:>16}: {counts.get(key, 0)}")


if __name__ == "__main__":
    main()
