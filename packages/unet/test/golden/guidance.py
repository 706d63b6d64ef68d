"""Golden values for applyGuidance: diffusers' classifier-free guidance line
    noise_pred = noise_pred_uncond + guidance_scale * (noise_pred_text - noise_pred_uncond)
evaluated by PyTorch on float32 CPU tensors. Regenerate with:
    /usr/bin/python3 packages/unet/test/golden/guidance.py > packages/unet/test/golden/guidance.json
(Debian's python3-torch; written with torch 1.13.)
"""
import json
import math

import torch

n = 256
uncond = torch.tensor([math.sin(i * 0.37) * 3 for i in range(n)], dtype=torch.float32)
cond = torch.tensor([math.cos(i * 0.11) * 2 + 1e-3 * i for i in range(n)], dtype=torch.float32)
cases = []
for g in [7.5, 3.3, 1.7, 12.25]:
    out = uncond + g * (cond - uncond)
    cases.append({"guidanceScale": g, "out": [float(v) for v in out.tolist()]})
print(json.dumps({
    "torch": torch.__version__,
    "uncond": [float(v) for v in uncond.tolist()],
    "cond": [float(v) for v in cond.tolist()],
    "cases": cases,
}))
