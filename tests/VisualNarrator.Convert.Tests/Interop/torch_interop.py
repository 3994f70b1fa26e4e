"""Real-PyTorch side of the interop tests (run with a python3 that has torch, e.g. Debian's python3-torch).

  save SPEC.json OUT.bin DIGESTS.json   torch.save a state dict of seeded random tensors named and shaped by SPEC
                                        ({"tensors": [{"key", "shape"}], "dtype": "float16"|...}); DIGESTS gets, per key,
                                        the SHA-256 of the float32 values (what the C# side must load).
  load FILE.bin DIGESTS.json            torch.load a file written by the C# side; DIGESTS gets per key its dtype,
                                        shape and the SHA-256 of its raw bytes.
  safetensors FILE DIGESTS.json         read a .safetensors file with json + torch only (no safetensors package), checking
                                        the header the way the format specifies it, then the same digests as load.
  forward FILE.bin CONFIG.json IDS.json OUT.json
                                        OPT's forward pass (HF transformers modeling_opt.py, eval mode) written here in
                                        plain torch, float64, over a torch.save'd state dict: OUT gets the last-position
                                        logits of each id list in IDS. Pre- and post-LN, project_in / project_out, tied
                                        or untied lm_head, keys with or without the "model." prefix.
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
    std = spec.get("std", 0.1)
    for entry in spec["tensors"]:
        value = torch.randn(entry["shape"], generator=gen) * std
        if entry["key"].endswith("layer_norm.weight"):
            value = value + 1.0  # LayerNorm gains near 1, as trained models have
        value = value.to(dtype)
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


def forward(bin_path, config_path, ids_path, out_path):
    cfg = json.load(open(config_path))
    state = torch.load(bin_path, map_location="cpu")
    sd = {(k[len("model."):] if k.startswith("model.") else k): v.to(torch.float64) for k, v in state.items()}

    def g(name):
        return sd.get("decoder." + name)

    hidden, heads = cfg["hidden_size"], cfg["num_attention_heads"]
    head_dim = hidden // heads
    pre_ln = cfg.get("do_layer_norm_before", True)
    final_ln = pre_ln and not cfg.get("_remove_final_layer_norm", False)
    F = torch.nn.functional

    def ln(x, name):
        return F.layer_norm(x, (hidden,), g(name + ".weight"), g(name + ".bias"), 1e-5)

    def lin(x, name):
        return F.linear(x, g(name + ".weight"), g(name + ".bias"))

    out = []
    for ids in json.load(open(ids_path)):
        t = len(ids)
        x = F.embedding(torch.tensor(ids), g("embed_tokens.weight"))
        if g("project_in.weight") is not None:
            x = F.linear(x, g("project_in.weight"))
        x = x + g("embed_positions.weight")[torch.arange(t) + 2]  # OPTLearnedPositionalEmbedding offset 2
        mask = torch.full((t, t), float("-inf"), dtype=torch.float64).triu(1)
        for i in range(cfg["num_hidden_layers"]):
            p = f"layers.{i}."
            residual = x
            h = ln(x, p + "self_attn_layer_norm") if pre_ln else x
            q = (lin(h, p + "self_attn.q_proj") * head_dim ** -0.5).view(t, heads, head_dim).transpose(0, 1)
            k = lin(h, p + "self_attn.k_proj").view(t, heads, head_dim).transpose(0, 1)
            v = lin(h, p + "self_attn.v_proj").view(t, heads, head_dim).transpose(0, 1)
            probs = torch.softmax(q @ k.transpose(-1, -2) + mask, dim=-1)
            attn = (probs @ v).transpose(0, 1).reshape(t, hidden)
            x = residual + lin(attn, p + "self_attn.out_proj")
            if not pre_ln:
                x = ln(x, p + "self_attn_layer_norm")
            residual = x
            h = ln(x, p + "final_layer_norm") if pre_ln else x
            x = residual + lin(torch.relu(lin(h, p + "fc1")), p + "fc2")
            if not pre_ln:
                x = ln(x, p + "final_layer_norm")
        if final_ln:
            x = ln(x, "final_layer_norm")
        if g("project_out.weight") is not None:
            x = F.linear(x, g("project_out.weight"))
        head = sd["lm_head.weight"] if "lm_head.weight" in sd else g("embed_tokens.weight")
        out.append((x[-1] @ head.T).tolist())
    json.dump(out, open(out_path, "w"))


if __name__ == "__main__":
    {"save": save, "load": load, "safetensors": safetensors, "forward": forward}[sys.argv[1]](*sys.argv[2:])
