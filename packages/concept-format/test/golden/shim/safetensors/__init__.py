"""Stand-in for the `safetensors` package, which cannot be installed here.

Implements only what the Python snippet of docs/concept-format.md calls — safe_open(path,
framework="np") as a context manager with metadata(), keys() and get_tensor(), and
safetensors.numpy.load_file — on top of read_concept.py's strict parser, so test/docs.test.ts can
run that snippet. This checks the snippet's own logic (json, numpy, splitting value_targets); the
real library's API was checked against its source (bindings/python/src/lib.rs: Framework accepts
"np"/"numpy", safe_open has __enter__/__exit__, metadata() returns the __metadata__ dict;
py_src/safetensors/numpy.py: load_file(filename) -> Dict[str, np.ndarray]).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
import read_concept  # noqa: E402


class safe_open:
    def __init__(self, filename, framework, device="cpu"):
        if framework not in ("np", "numpy"):
            raise ValueError(f"this stand-in only supports framework='np', not {framework!r}")
        with open(filename, "rb") as f:
            _, self._metadata, tensors = read_concept.parse(f.read())
        self._tensors = {name: values for name, _, _, values in tensors}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._tensors = None

    def metadata(self):
        return dict(self._metadata) or None

    def keys(self):
        return list(self._tensors)

    def get_tensor(self, name):
        return self._tensors[name].copy()
