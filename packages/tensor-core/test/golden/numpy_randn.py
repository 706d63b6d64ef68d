"""Golden values of NumPy's legacy RandomState for test/numpy-random-state.test.ts.

Regenerate (from packages/tensor-core, with Debian's python3-numpy; not the pyenv python on PATH):

    /usr/bin/python3 test/golden/numpy_randn.py > test/golden/numpy-randn.json

`values` are randn's float64 results, `float32` the same after `.astype(np.float32)` (what
diffusers' ONNX pipeline feeds the UNet). Large arrays keep only their first and last 16 values and
the sum of all float32 values, accumulated in order in float64.
"""
import datetime
import json
import platform
import subprocess
import sys

import numpy as np

SEEDS = [0, 1, 42, 12345, 2**32 - 1]
SIZES = [1, 2, 3, 15, 16, 17, 31, 100, 1000]
FULL_UP_TO = 100
LATENT_SHAPE = (1, 4, 64, 64)  # SD 1.x latents for a 512x512 image


def debian_package_version(name):
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", name], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def summarise(array):
    values = [float(v) for v in array.reshape(-1)]
    singles = [float(v) for v in array.astype(np.float32).reshape(-1)]
    if len(values) <= FULL_UP_TO:
        return {"count": len(values), "values": values, "float32": singles}
    total = 0.0
    for v in singles:
        total += v
    return {"count": len(values), "first": values[:16], "last": values[-16:],
            "float32First": singles[:16], "float32Last": singles[-16:], "float32Sum": total}


def main():
    randn = []
    for seed in SEEDS:
        for size in SIZES:
            randn.append({"seed": seed, "size": size, **summarise(np.random.RandomState(seed).randn(size))})
        randn.append({"seed": seed, "size": 16384, "shape": list(LATENT_SHAPE),
                      **summarise(np.random.RandomState(seed).randn(*LATENT_SHAPE))})

    # Several calls on one RandomState: the polar method's cached second value crosses calls.
    sequences = []
    for seed, sizes in [(0, [3, 5]), (42, [1, 1, 16, 17]), (7, [5, 20])]:
        state = np.random.RandomState(seed)
        sequences.append({"seed": seed, "sizes": sizes, "calls": [summarise(state.randn(size)) for size in sizes]})

    random_sample = {"seed": 0, "values": [float(v) for v in np.random.RandomState(0).random_sample(8)]}

    json.dump({
        "about": {
            "command": "/usr/bin/python3 test/golden/numpy_randn.py > test/golden/numpy-randn.json",
            "numpy": np.__version__,
            "debianPackage": "python3-numpy " + debian_package_version("python3-numpy"),
            "python": sys.version.split()[0],
            "machine": platform.machine(),
            "date": datetime.date.today().isoformat(),
        },
        "randn": randn,
        "sequences": sequences,
        "randomSample": random_sample,
    }, sys.stdout, indent=1)
    sys.stdout.write("\n")


main()
