"""Golden .npy files for test/npy.test.ts: arrays saved by NumPy itself, with their expected contents.

Regenerate (from packages/tensor-core, with Debian's python3-numpy; not the pyenv python on PATH):

    /usr/bin/python3 test/golden/npy_files.py > test/golden/npy-files.json

Each case holds the bytes `np.save` (or `np.lib.format.write_array` for other format versions)
writes, base64-encoded, and what readNpy must return: dtype, shape and the values in C order
(float16 as raw half bits, int64 as decimal strings, bool as 0/1). `error` cases must be refused.
"""
import base64
import io
import json

import numpy as np


def npy(array, version=None):
    buffer = io.BytesIO()
    if version is None:
        np.save(buffer, array)
    else:
        np.lib.format.write_array(buffer, array, version=version)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def case(name, array, dtype, values, version=None):
    return {"name": name, "npy": npy(array, version), "dtype": dtype, "shape": list(array.shape), "values": values}


rng = np.random.RandomState(7)
f32 = rng.randn(2, 3, 4).astype(np.float32)
f16 = rng.randn(5).astype(np.float16)
i64 = np.array([[0, -1], [2**62, -(2**63)]], dtype=np.int64)
i32 = np.arange(-3, 3, dtype=np.int32).reshape(3, 2)
u8 = np.array([0, 1, 127, 255], dtype=np.uint8)
b = np.array([True, False, True])
scalar = np.float32(1.5).reshape(())
empty = np.zeros((0, 3), dtype=np.float32)
many_dims = np.full((1, 2, 1, 1, 2, 1, 1, 1), 0.25, dtype=np.float32)

cases = [
    case("float32 [2, 3, 4]", f32, "float32", [float(v) for v in f32.ravel()]),
    case("float16 [5]", f16, "float16", [int(v) for v in f16.view(np.uint16)]),
    case("int64 [2, 2]", i64, "int64", [str(v) for v in i64.ravel()]),
    case("int32 [3, 2]", i32, "int32", [int(v) for v in i32.ravel()]),
    case("uint8 [4]", u8, "uint8", [int(v) for v in u8]),
    case("bool [3]", b, "bool", [int(v) for v in b]),
    case("float32 scalar", scalar, "float32", [1.5]),
    case("float32 [0, 3]", empty, "float32", []),
    case("float32, format 2.0", f32, "float32", [float(v) for v in f32.ravel()], version=(2, 0)),
    case("float32, format 3.0", f32, "float32", [float(v) for v in f32.ravel()], version=(3, 0)),
    case("float32, 8 dimensions", many_dims, "float32", [0.25] * 4),
]
errors = [
    {"name": "float64", "npy": npy(rng.randn(3)), "error": "NumPy dtype '<f8' has no tensor counterpart"},
    {"name": "big-endian float32", "npy": npy(np.arange(3, dtype=">f4")), "error": "NumPy dtype '>f4' has no tensor counterpart"},
    {"name": "Fortran order", "npy": npy(np.asfortranarray(f32)), "error": "Fortran order"},
]
print(json.dumps({"numpy": np.__version__, "cases": cases, "errors": errors}, indent=1))
