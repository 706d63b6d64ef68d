#!/usr/bin/python3
"""Golden values for @perfusion/key-lock, computed independently in numpy.

Regenerate (from the repository root, with Debian's interpreter, which has numpy 1.24):

    /usr/bin/python3 packages/key-lock/test/golden/keylock_reference.py

It writes keylock_reference.json next to this file. Nothing here imports our TypeScript. All inputs are
drawn here from numpy's RandomState(20230502) and written to the JSON, so the TypeScript test reads the
same numbers (every input is rounded to float32 values first, as encoders and ONNX weights are). The formulas, straight from Perfusion (Tewel et al. 2023, arXiv 2305.01644), in float64:

  * C = (1/n) X^T X over the rows of X (an uncentred covariance; X has a large common offset);
  * ridge: Cr = C + lam I with lam = 1e-4 * mean(diag C); Cinv = np.linalg.inv(Cr) (an explicit
    inverse, where the TypeScript code uses a Cholesky solve);
  * sim_k(e) = e^T Cinv i_k / (i_k^T Cinv i_k);  g_k(e) = 1 / (1 + exp(-(sim_k(e) - beta_k) / tau_k));
  * sum form:   out(e) = (e - sum_k sim_k(e) i_k) W + sum_k g_k(e) o_k;
  * exact form: out(e) = (e - P e) W + sum_k g_k(e) o_k with P = I (I^T Cinv I)^-1 I^T Cinv, the
    Cinv-orthogonal projection on span{i_k} written in closed form (no basis, unlike the TypeScript);
  * key locking: o_K,k = i_super,k W_K; value targets o_V,k are given.
W is a [d, width] MatMul weight (out = e W with e a row vector), as in ONNX exports.
"""
import json
import os

import numpy as np

rng = np.random.RandomState(20230502)
d, width, B, T, M, n = 6, 5, 2, 4, 2, 40

# Covariance from rows with a large common offset.
offset = rng.randn(d) * 50.0
X = offset[None, :] + rng.randn(n, d)

i_star = rng.randn(M, d) * 3.0 + offset[None, :] * 0.1
i_super = rng.randn(M, d) * 3.0
W_K = rng.randn(d, width) * 0.2
W_V = rng.randn(d, width) * 0.2
o_V = rng.randn(M, width)
beta = np.array([0.6, 0.7])
tau = np.array([0.15, 0.1])

E = rng.randn(B, T, d) * 2.0
E[0, 1] = i_star[0]                              # concept 1's own token
E[1, 2] = i_star[1]                              # concept 2's own token
E[0, 3] = 0.5 * i_star[0] + 0.3 * i_star[1]      # a combination


def f32(a):
    """Rounds to float32 values (what encoders and ONNX weights hold); the maths stays float64."""
    return a.astype(np.float32).astype(np.float64)


X, i_star, i_super, W_K, W_V, o_V, E = (f32(a) for a in (X, i_star, i_super, W_K, W_V, o_V, E))
C = X.T @ X / n
lam = 1e-4 * np.trace(C) / d
Cinv = np.linalg.inv(C + lam * np.eye(d))
rows = E.reshape(-1, d)

energy = np.einsum('kd,de,ke->k', i_star, Cinv, i_star)
sims = rows @ Cinv @ i_star.T / energy[None, :]
gates = 1.0 / (1.0 + np.exp(-(sims - beta[None, :]) / tau[None, :]))

o_K = i_super @ W_K
I = i_star.T                                     # d x M
P = I @ np.linalg.inv(I.T @ Cinv @ I) @ I.T @ Cinv
projected = rows @ P.T                           # P e for every row


def edited(W, targets, removed):
    return (rows - removed) @ W + gates @ targets


removed_sum = sims @ i_star                       # sum_k sim_k(e) i_k
out = {
    'd': d, 'width': width, 'B': B, 'T': T, 'M': M, 'n': n,
    'X': X.ravel().tolist(),
    'covariance': C.ravel().tolist(),
    'ridge': lam,
    'covarianceInverse': Cinv.ravel().tolist(),
    'iStar': i_star.ravel().tolist(),
    'iSuper': i_super.ravel().tolist(),
    'W_K': W_K.ravel().tolist(),
    'W_V': W_V.ravel().tolist(),
    'o_V': o_V.ravel().tolist(),
    'beta': beta.tolist(),
    'tau': tau.tolist(),
    'encodings': E.ravel().tolist(),
    'energy': energy.tolist(),
    'sims': sims.ravel().tolist(),
    'gates': gates.ravel().tolist(),
    'o_K': o_K.ravel().tolist(),
    'projected': projected.ravel().tolist(),
    'keysSum': edited(W_K, o_K, removed_sum).ravel().tolist(),
    'valuesSum': edited(W_V, o_V, removed_sum).ravel().tolist(),
    'keysExact': edited(W_K, o_K, projected).ravel().tolist(),
    'valuesExact': edited(W_V, o_V, projected).ravel().tolist(),
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'keylock_reference.json')
with open(path + '.tmp', 'w') as f:
    json.dump(out, f, indent=1)
    f.write('\n')
os.replace(path + '.tmp', path)
print('wrote', path)
