"""Independent reader and hand-built writer of Perfusion covariance files, for the concept-format tests.

Written from the package README ("Covariance files") alone, with no code shared with the TypeScript
package; run with Debian's interpreter and numpy 1.24 (not the python3 on PATH; the `safetensors`
package is not used):

    /usr/bin/python3 test/golden/read_covariance.py read FILE
        Parses FILE as safetensors (8-byte little-endian header size, UTF-8 JSON header, string
        metadata, tensors tiling the data buffer), checks the covariance layout (format
        'perfusion-covariance', tensor 'covariance' [dim, dim] in the metadata's dtype, optional
        'mean' [dim]) and prints JSON: the metadata, the matrix and mean as float64 lists, whether
        the matrix is symmetric, and its smallest eigenvalue (numpy.linalg.eigvalsh).

    /usr/bin/python3 test/golden/read_covariance.py write OUT DIM SEED DTYPE
        Writes a covariance file by hand with struct/json/numpy, laid out unlike the TypeScript
        writer (indented JSON, metadata last, 'mean' before 'covariance', header not padded to 8):
        C = X^T X / n for X = numpy RandomState(SEED).randn(40, DIM) + 0.5, mean = X.mean(0),
        fingerprint 'python-handbuilt', count 40, captions 4. Prints the matrix it wrote as JSON.
"""
import json
import struct
import sys

import numpy as np


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    assert meta["format"] == "perfusion-covariance", meta.get("format")
    dim = int(meta["dim"])
    dtype = {"float64": np.dtype("<f8"), "float32": np.dtype("<f4")}[meta["dtype"]]
    buf = data[8 + n :]
    ends = sorted(v["data_offsets"][1] for v in header.values())
    assert ends[-1] == len(buf), "tensors must tile the data buffer"
    out = {"metadata": meta}
    for name, info in header.items():
        start, end = info["data_offsets"]
        array = np.frombuffer(buf[start:end], dtype=dtype).astype(np.float64).reshape(info["shape"])
        out[name] = array
    c = out["covariance"]
    assert c.shape == (dim, dim)
    result = {
        "metadata": meta,
        "matrix": c.reshape(-1).tolist(),
        "symmetric": bool(np.array_equal(c, c.T)),
        "min_eigenvalue": float(np.linalg.eigvalsh(c).min()),
    }
    if "mean" in out:
        result["mean"] = out["mean"].tolist()
    print(json.dumps(result))


def write(path, dim, seed, dtype_name):
    rng = np.random.RandomState(seed)
    x = rng.randn(40, dim) + 0.5
    c = x.T @ x / 40.0
    mean = x.mean(axis=0)
    dtype = {"float64": "<f8", "float32": "<f4"}[dtype_name]
    st = {"float64": "F64", "float32": "F32"}[dtype_name]
    mean_bytes = mean.astype(dtype).tobytes()
    c_bytes = c.astype(dtype).tobytes()
    header = {
        "mean": {"dtype": st, "shape": [dim], "data_offsets": [0, len(mean_bytes)]},
        "covariance": {"dtype": st, "shape": [dim, dim], "data_offsets": [len(mean_bytes), len(mean_bytes) + len(c_bytes)]},
        "__metadata__": {
            "created_by": "read_covariance.py",
            "dtype": dtype_name,
            "captions": "4",
            "count": "40",
            "dim": str(dim),
            "fingerprint": "python-handbuilt",
            "format_version": "1",
            "format": "perfusion-covariance",
        },
    }
    text = json.dumps(header, indent=1).encode("utf-8")
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        f.write(mean_bytes)
        f.write(c_bytes)
    print(json.dumps({"matrix": c.astype(dtype).astype(np.float64).reshape(-1).tolist(), "mean": mean.astype(dtype).astype(np.float64).tolist()}))


if __name__ == "__main__":
    if sys.argv[1] == "read":
        read(sys.argv[2])
    elif sys.argv[1] == "write":
        write(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    else:
        raise SystemExit("usage: read FILE | write OUT DIM SEED DTYPE")
