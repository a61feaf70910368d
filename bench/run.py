"""Run every benchmark in bench/ (files named bench_*.py) and print their figures."""

import runpy
import sys
from pathlib import Path

here = Path(__file__).resolve().parent
only = sys.argv[1:]
for script in sorted(here.glob("bench_*.py")):
    if only and not any(name in script.stem for name in only):
        continue
    print(f"== {script.stem}", flush=True)
    runpy.run_path(str(script), run_name="__main__")
