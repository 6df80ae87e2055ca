"""Freed memory given back to the system (memory.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
# Many small blocks (malloc's heap, not mmap), freed but for the last one, which pins the
# top of the heap: glibc keeps the freed space until malloc_trim gives it back.
PROGRAM = """
import gc
from nomodel.memory import give_back
def rss():
    return int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0]) // 1024
blocks = [bytes(1000) + bytes([i % 256]) for i in range(150_000)]
keep = blocks[-1]
del blocks
gc.collect()
before = rss()
give_back()
print(before, rss())
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_freed_memory_is_given_back() -> None:
    output = subprocess.run(
        [sys.executable, "-c", PROGRAM], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    before, after = (int(value) for value in output.split())
    assert before - after > 50, (before, after)  # MB: the 150 MB freed, mostly returned
