"""Golden values of torch's CPU generator for test/torch-generator.test.ts.

Regenerate (from packages/tensor-core, with Debian's python3-torch; not the pyenv python on PATH):

    /usr/bin/python3 test/golden/torch_randn.py > test/golden/torch-randn.json

Every value is a float32 written as the exact decimal of its double widening, so JSON.parse gives
back the same float32 value. Large tensors keep only their first and last 16 values and the sum of
all values, accumulated in order in float64.
"""
import datetime
import json
import platform
import subprocess
import sys

import torch

SEEDS = [0, 1, 42, 2**32 + 7, 0xDEADBEEFCAFEBABE]
SIZES = [1, 3, 15, 16, 17, 31, 32, 100, 1000]
FULL_UP_TO = 100
LATENT_SHAPE = (1, 4, 64, 64)  # SD 1.x latents for a 512x512 image


def floats(tensor):
    return [float(v) for v in tensor.reshape(-1).tolist()]


def summarise(tensor):
    values = floats(tensor)
    if len(values) <= FULL_UP_TO:
        return {"count": len(values), "values": values}
    total = 0.0
    for v in values:
        total += v
    return {"count": len(values), "first": values[:16], "last": values[-16:], "sum": total}


def debian_package_version(name):
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", name], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def generator(seed):
    return torch.Generator().manual_seed(seed)


def main():
    randn = []
    for seed in SEEDS:
        for size in SIZES:
            randn.append({"seed": str(seed), "size": size, **summarise(torch.randn(size, generator=generator(seed)))})
        randn.append({"seed": str(seed), "size": 16384, "shape": list(LATENT_SHAPE),
                      **summarise(torch.randn(LATENT_SHAPE, generator=generator(seed)))})

    # Several calls on one generator: the stream continues, and the double-precision path (< 16
    # elements) leaves its cached second normal for the next call that takes that path.
    sequences = []
    for seed, sizes in [(0, [5, 20]), (42, [3, 16, 1]), (7, [17, 2, 1, 33]), (123, [1, 1, 1, 15, 15])]:
        g = generator(seed)
        sequences.append({"seed": str(seed), "sizes": sizes,
                          "calls": [summarise(torch.randn(size, generator=g)) for size in sizes]})

    g = generator(42)
    rand = {"seed": "42", "sizes": [5, 20], "calls": [floats(torch.rand(5, generator=g)), floats(torch.rand(20, generator=g))]}

    initial_seeds = [{"seed": str(s), "initialSeed": str(generator(s).initial_seed())} for s in [0, -1, -(2**63), 2**64 - 1, 2**32 + 7]]
    default_generator = torch.Generator()
    default = {"initialSeed": str(default_generator.initial_seed()), "randn3": floats(torch.randn(3, generator=default_generator))}

    json.dump({
        "about": {
            "command": "/usr/bin/python3 test/golden/torch_randn.py > test/golden/torch-randn.json",
            "torch": torch.__version__,
            "debianPackage": "python3-torch " + debian_package_version("python3-torch"),
            "cpuCapability": torch.backends.cpu.get_cpu_capability() if hasattr(torch.backends, "cpu") else
                [line.strip() for line in torch.__config__.show().splitlines() if "CPU capability" in line],
            "python": sys.version.split()[0],
            "machine": platform.machine(),
            "date": datetime.date.today().isoformat(),
        },
        "randn": randn,
        "sequences": sequences,
        "rand": rand,
        "initialSeeds": initial_seeds,
        "defaultGenerator": default,
    }, sys.stdout, indent=1)
    sys.stdout.write("\n")


main()
