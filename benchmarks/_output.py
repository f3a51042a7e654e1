"""Shared output of the benchmarks: the records as one JSON list on stdout and in benchmarks/out/NAME.json."""

from __future__ import annotations

import json
import os


def save(name: str, records: list[dict]) -> None:
    os.makedirs("benchmarks/out", exist_ok=True)
    with open(f"benchmarks/out/{name}.json", "w") as f:
        json.dump(records, f, indent=1)
    print(json.dumps(records))
