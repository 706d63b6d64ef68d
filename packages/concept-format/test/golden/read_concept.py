"""Independent reader and hand-built writer of Perfusion concept files, for the concept-format tests.

Written from docs/concept-format.md alone (no code shared with the TypeScript package), run with
Debian's interpreter and numpy (not the python3 on PATH; the `safetensors` package is not used):

    /usr/bin/python3 test/golden/read_concept.py digest FILE
        Parses FILE strictly per the spec (8-byte little-endian header size, UTF-8 JSON header
        starting with '{' and padded only with spaces, no duplicate keys, string-only metadata,
        F32/F16 tensors whose data_offsets tile the buffer exactly) and prints a JSON digest: sizes,
        metadata, each tensor's dtype, shape, offsets, SHA-256 of its bytes and float64 sum, the
        per-layer sums of value_targets, and whether the values equal the fixed "golden" concept
        below (float32, and float16 = numpy's float32 -> float16 conversion, round half to even).
        Digests of the committed golden files are test/golden/*.digest.json:

            /usr/bin/python3 test/golden/read_concept.py digest test/golden/golden-concept-f32.safetensors \
                > test/golden/golden-concept-f32.digest.json    (and the same for -f16)

    /usr/bin/python3 test/golden/read_concept.py handbuilt OUT
        Writes a float16 concept file by hand from the spec with struct/json/numpy, laid out
        unlike our writer (indented JSON, tensors in another order, metadata last, a header length
        that is not a multiple of 8): test/golden/handbuilt-concept.safetensors.

    /usr/bin/python3 test/golden/read_concept.py mixed OUT
        Writes a plain safetensors file with assorted dtypes and shapes (I64, BF16, U8, BOOL, F64,
        I32, a scalar, an empty tensor): test/golden/handbuilt-mixed.safetensors.

The golden concept (also built by test/golden-concept.ts) has d = 8, a 10-value word embedding
and three layers of widths 4, 6 and 5. Element i of tensor k (0 input_encoding, 1 super_encoding,
2 word_embedding, 3 value_targets in layer order, concatenated) is the float32 nearest to
((i*7 + k*13) % 29 - 14) / 9 * SCALES[i % 7]; the word embedding's first six values are replaced by
float16 edge cases (ties, subnormals, the largest value that still rounds to 65504, -0).
"""
import hashlib
import json
import struct
import sys

import numpy as np

MAX_HEADER = 1 << 20
SCALES = [1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0]
SPECIALS = [1.0 + 2.0**-11, 1.0 + 3 * 2.0**-11, 65519.0, 2.0**-24, 2.0**-25, -0.0]
GOLDEN_LAYERS = [
    ("/down_blocks.0/attentions.0/transformer_blocks.0/attn2", 4),
    ("/mid_block/attentions.0/transformer_blocks.0/attn2", 6),
    ("/up_blocks.1/attentions.2/transformer_blocks.0/attn2", 5),
]
GOLDEN_D = 8
GOLDEN_EMB = 10
DTYPES = {"F32": ("<f4", 4), "F16": ("<f2", 2)}


def formula(k, n):
    return np.array([((i * 7 + k * 13) % 29 - 14) / 9 * SCALES[i % 7] for i in range(n)], dtype=np.float64).astype(np.float32)


def golden_values():
    word = formula(2, GOLDEN_EMB)
    word[: len(SPECIALS)] = np.array(SPECIALS, dtype=np.float32)
    return {
        "input_encoding": formula(0, GOLDEN_D),
        "super_encoding": formula(1, GOLDEN_D),
        "word_embedding": word,
        "value_targets": formula(3, sum(w for _, w in GOLDEN_LAYERS)),
    }


def fail(message):
    raise SystemExit(f"read_concept.py: {message}")


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        fail(f"duplicate key in {keys}")
    return dict(pairs)


def parse(data):
    if len(data) < 8:
        fail("shorter than the 8-byte header size")
    (n,) = struct.unpack("<Q", data[:8])
    if n > MAX_HEADER:
        fail(f"header size {n} over the limit")
    if 8 + n > len(data):
        fail("truncated header")
    text = data[8 : 8 + n].decode("utf-8")
    if not text.startswith("{"):
        fail("header does not start with '{'")
    header, end = json.JSONDecoder(object_pairs_hook=no_duplicates).raw_decode(text)
    if text[end:].strip(" ") != "":
        fail("header padded with something other than spaces")
    metadata = header.pop("__metadata__", {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        fail("metadata values must be strings")
    buffer = data[8 + n :]
    entries = sorted(header.items(), key=lambda item: tuple(item[1]["data_offsets"]))
    cursor = 0
    tensors = []
    for name, info in entries:
        if set(info) != {"dtype", "shape", "data_offsets"}:
            fail(f"{name}: unexpected fields {sorted(info)}")
        if info["dtype"] not in DTYPES:
            fail(f"{name}: dtype {info['dtype']} is not F32/F16")
        np_dtype, size = DTYPES[info["dtype"]]
        shape = info["shape"]
        if not all(type(d) is int and d >= 0 for d in shape):
            fail(f"{name}: bad shape {shape}")
        begin, stop = info["data_offsets"]
        if type(begin) is not int or type(stop) is not int or begin != cursor or stop < begin:
            fail(f"{name}: offsets {begin},{stop} do not continue at {cursor}")
        if stop - begin != int(np.prod(shape, dtype=np.int64)) * size:
            fail(f"{name}: {stop - begin} bytes do not fit shape {shape}")
        raw = buffer[begin:stop]
        values = np.frombuffer(raw, dtype=np_dtype).reshape(shape)
        tensors.append((name, info, raw, values))
        cursor = stop
    if cursor != len(buffer):
        fail(f"offsets cover {cursor} of {len(buffer)} data bytes")
    return n, metadata, tensors


def digest(path):
    data = open(path, "rb").read()
    n, metadata, tensors = parse(data)
    layers = json.loads(metadata["layers"])
    by_name = {name: values for name, _, _, values in tensors}
    stacked = by_name["value_targets"].astype(np.float64)
    if stacked.shape != (sum(layer["width"] for layer in layers),):
        fail("value_targets does not match the layer widths")
    layer_sums = []
    at = 0
    for layer in layers:
        layer_sums.append({"layer": layer["layer"], "width": layer["width"], "sum": float(stacked[at : at + layer["width"]].sum())})
        at += layer["width"]
    golden = golden_values()
    dtype = metadata["dtype"]
    matches = all(
        np.array_equal(
            by_name[name].view(np.uint16 if dtype == "float16" else np.uint32),
            (golden[name].astype(np.float16) if dtype == "float16" else golden[name]).view(np.uint16 if dtype == "float16" else np.uint32),
        )
        for name in golden
    )
    out = {
        "file_bytes": len(data),
        "file_sha256": hashlib.sha256(data).hexdigest(),
        "header_bytes": n,
        "metadata": metadata,
        "tensors": [
            {
                "name": name,
                "dtype": info["dtype"],
                "shape": info["shape"],
                "data_offsets": info["data_offsets"],
                "sha256": hashlib.sha256(raw).hexdigest(),
                "sum": float(values.astype(np.float64).sum()),
            }
            for name, info, raw, values in tensors
        ],
        "layer_sums": layer_sums,
        "matches_golden_formula": bool(matches),
        "numpy": np.__version__,
    }
    json.dump(out, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


def write_file(path, header_obj, buffer, pad_to=None, indent=None):
    text = json.dumps(header_obj, indent=indent)
    if pad_to is not None:
        text += " " * (pad_to - len(text.encode("utf-8")))
    raw = text.encode("utf-8")
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        f.write(buffer)


def handbuilt(path):
    # A 5-dimensional encoding, 3-value embedding, two layers (widths 2 and 3), float16.
    layers = [{"layer": "/down_blocks.1/attentions.1/transformer_blocks.0/attn2", "width": 2}, {"layer": "/up_blocks.3/attentions.0/transformer_blocks.0/attn2", "width": 3}]
    values = {
        "value_targets": np.array([0.5, -1.25, 2.0, 1024.0, -0.0009765625], dtype=np.float16),
        "word_embedding": np.array([0.1, -0.2, 0.3], dtype=np.float16),
        "super_encoding": np.array([1, 2, 3, 4, 5], dtype=np.float16),
        "input_encoding": np.array([-1, -0.5, 0, 0.5, 1], dtype=np.float16),
    }
    header = {}
    buffer = b""
    for name in ["value_targets", "word_embedding", "super_encoding", "input_encoding"]:
        raw = values[name].astype("<f2").tobytes()
        header[name] = {"data_offsets": [len(buffer), len(buffer) + len(raw)], "shape": [len(values[name])], "dtype": "F16"}
        buffer += raw
    header["__metadata__"] = {
        "created_by": "read_concept.py handbuilt",
        "layers": json.dumps(layers, indent=1),
        "dtype": "float16",
        "defaults": json.dumps({"tau": 0.2, "beta": 0.65}),
        "base_model": json.dumps({"name": "hand", "fingerprint": "hand-fingerprint-1"}),
        "supercategory": "teddy bear",
        "token": "<hand-bear>",
        "format_version": "1",
        "format": "perfusion-concept",
        "x-note": "keys unknown to version 1 are ignored",
    }
    text_length = len(json.dumps(header, indent=2).encode("utf-8"))
    write_file(path, header, buffer, pad_to=text_length + 3, indent=2)


def mixed(path):
    tensors = [
        ("ids", "I64", [2, 2], np.array([[1, -2], [2**40, -(2**62)]], dtype="<i8").tobytes()),
        ("weights", "F64", [3], np.array([0.1, -2.5, 1e300], dtype="<f8").tobytes()),
        ("brain", "BF16", [2], (np.array([1.5, -3.0], dtype="<f4").view("<u4") >> 16).astype("<u2").tobytes()),
        ("counts", "I32", [3], np.array([7, -8, 2**31 - 1], dtype="<i4").tobytes()),
        ("scale", "F32", [], np.array(0.25, dtype="<f4").tobytes()),
        ("pixels", "U8", [2, 3], bytes([0, 1, 2, 253, 254, 255])),
        ("mask", "BOOL", [3], bytes([1, 0, 1])),
        ("nothing", "F32", [0, 4], b""),
    ]
    header = {"__metadata__": {"format": "pt", "note": "hand-built"}}
    buffer = b""
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(buffer), len(buffer) + len(raw)]}
        buffer += raw
    text_length = len(json.dumps(header).encode("utf-8"))
    write_file(path, header, buffer, pad_to=(text_length + 7) // 8 * 8)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("digest", "handbuilt", "mixed"):
        fail("usage: read_concept.py digest FILE | handbuilt OUT | mixed OUT")
    {"digest": digest, "handbuilt": handbuilt, "mixed": mixed}[sys.argv[1]](sys.argv[2])
