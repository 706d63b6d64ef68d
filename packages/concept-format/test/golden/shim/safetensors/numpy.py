"""Stand-in for safetensors.numpy (see __init__.py): load_file only."""
from . import safe_open


def load_file(filename):
    with safe_open(filename, framework="np") as f:
        return {name: f.get_tensor(name) for name in f.keys()}
