# Golden values for test/adamw.test.ts: torch.optim.AdamW on two parameter groups with their own
# learning rates, five steps with fixed gradients. Run with Debian's python3 (python3-torch 1.13):
#   /usr/bin/python3 packages/trainer/test/golden/adamw.py
import json
import torch

torch.set_default_dtype(torch.float64)
a = torch.nn.Parameter(torch.tensor([0.5, -1.25, 2.0]))
b = torch.nn.Parameter(torch.tensor([1.0, 0.0]))
opt = torch.optim.AdamW([{'params': [a], 'lr': 0.03}, {'params': [b], 'lr': 0.006}], betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
grads = [
    ([0.1, -0.2, 0.3], [1.0, -1.0]),
    ([0.0, 0.5, -0.5], [0.25, 2.0]),
    ([-0.3, 0.1, 0.0], [-0.5, 0.5]),
    ([1e-3, -1e-3, 2.0], [0.0, 0.0]),
    ([0.2, 0.2, 0.2], [3.0, -3.0]),
]
for ga, gb in grads:
    a.grad = torch.tensor(ga)
    b.grad = torch.tensor(gb)
    opt.step()
print(json.dumps({'a': a.detach().tolist(), 'b': b.detach().tolist()}))
