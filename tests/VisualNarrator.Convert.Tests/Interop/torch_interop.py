"""Real-PyTorch side of the interop tests (run with a python3 that has torch, e.g. Debian's python3-torch).

  save SPEC.json OUT.bin DIGESTS.json   torch.save a state dict of seeded random tensors named and shaped by SPEC
                                        ({"tensors": [{"key", "shape"}], "dtype": "float16"|...}); DIGESTS gets, per key,
                                        the SHA-256 of the float32 values (what the C# side must load).
  load FILE.bin DIGESTS.json            torch.load a file written by the C# side; DIGESTS gets per key its dtype,
                                        shape and the SHA-256 of its raw bytes.
  safetensors FILE DIGESTS.json         read a .safetensors file with json + torch only (no safetensors package), checking
                                        the header the way the format specifies it, then the same digests as load.
"""
import hashlib
import json
import struct
import sys

import torch

DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}
ST_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64, "I64": torch.int64}


def raw(t):
    return t.detach().contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()


def digest(t):
    return {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape), "sha256": hashlib.sha256(raw(t)).hexdigest()}


def save(spec_path, out_path, digests_path):
    spec = json.load(open(spec_path))
    gen = torch.Generator().manual_seed(spec.get("seed", 0))
    dtype = DTYPES[spec.get("dtype", "float32")]
    state, digests = {}, {}
    for entry in spec["tensors"]:
        value = (torch.randn(entry["shape"], generator=gen) * 0.1).to(dtype)
        state[entry["key"]] = value
        digests[entry["key"]] = digest(value.float())
    torch.save(state, out_path)
    json.dump(digests, open(digests_path, "w"))


def load(path, digests_path):
    state = torch.load(path, map_location="cpu")
    json.dump({k: digest(v) for k, v in state.items()}, open(digests_path, "w"))


def safetensors(path, digests_path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    assert (8 + n) % 8 == 0, "header is not padded to 8 bytes"
    assert header.get("__metadata__", {}).get("format") == "pt", "metadata format is not pt"
    body = data[8 + n:]
    end = 0
    out = {}
    for key, entry in sorted(((k, v) for k, v in header.items() if k != "__metadata__"), key=lambda kv: kv[1]["data_offsets"][0]):
        begin, stop = entry["data_offsets"]
        assert begin == end, f"{key}: data is not contiguous ({begin} != {end})"
        end = stop
        t = torch.frombuffer(bytearray(body[begin:stop]), dtype=ST_DTYPES[entry["dtype"]]).reshape(entry["shape"])
        out[key] = digest(t)
    assert end == len(body), "trailing bytes after the last tensor"
    json.dump(out, open(digests_path, "w"))


if __name__ == "__main__":
    {"save": save, "load": load, "safetensors": safetensors}[sys.argv[1]](*sys.argv[2:])
