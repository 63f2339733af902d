"""What every bench prints beside its figures: the machine they were measured on."""

import platform
from pathlib import Path


def cpu_model():
    """The CPU's model name (machines of one kind differ 2-3x in speed: say which one this was)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"
