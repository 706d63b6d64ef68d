#!/usr/bin/python3
"""Golden values for LmsDiscreteScheduler (order-4 linear multistep on sigmas), computed independently.

Regenerate (from the repository root, with Debian's interpreter, which has numpy 1.24):

    /usr/bin/python3 packages/scheduler/test/golden/lms_reference.py

It writes lms_reference.json next to this file. Nothing here imports our TypeScript or diffusers
(diffusers is not installable offline, and scipy is not installed: it is not needed, see below). The
algorithm follows diffusers' LMSDiscreteScheduler as of diffusers 0.40.0.dev0 (commit 58eb52c,
scheduling_lms_discrete.py), i.e. k-diffusion's sample_lms:

  * training schedule: betas from torch.linspace in float32 (as torch >= 2.0 fills it on CPU),
    alphas_cumprod = cumprod(1 - beta) accumulated in double and rounded to float32 per element,
    sigma_train = sqrt((1 - acp) / acp) in float32;
  * timesteps ("linspace" spacing, the class default): float32(linspace(0, 999, n)) reversed; they are
    fractional when 999 / (n - 1) is;
  * sigmas: sigma_train linearly interpolated at those timesteps, then 0; float32;
  * Karras: sigma_i = (smax^(1/7) + i/(n-1) (smin^(1/7) - smax^(1/7)))^7 between the first and last
    interpolated sigmas; timesteps = the fractional log-sigma interpolation index (not rounded);
  * step: x0 from epsilon (x - s eps) or v (v * -s/sqrt(s^2+1) + x/(s^2+1)); derivative d = (x - x0)/s;
    x_next = x + sum_j c_j d_{i-j} with c_j the integral from s_i to s_{i+1} of the Lagrange basis
    polynomial of node s_{i-j} over the nodes s_i, ..., s_{i-order+1} (order = min(i + 1, 4)).

diffusers integrates those polynomials with scipy.integrate.quad; here they are integrated exactly with
numpy.polynomial (build the basis polynomial from its roots, take the antiderivative, evaluate), which
is a different method from the Gauss-Legendre rule the TypeScript uses. The per-step sample arithmetic
is float32 (numpy float32 scalars and arrays), as diffusers does with float32 torch tensors.

The dummy model is eps(x, t) = 0.1 x + 0.01 t / 1000 on the scaled input x / sqrt(s^2 + 1) (interpreted
as v for v_prediction); the starting noise is a fixed, exactly representable pattern stored in the JSON,
multiplied by init_noise_sigma (the largest sigma for "linspace" spacing).
"""
import datetime
import json
import os
import sys

import numpy as np
from numpy.polynomial import polynomial as P

f32 = np.float32

# runwayml/stable-diffusion-v1-5 scheduler/scheduler_config.json (a PNDMScheduler config). Loaded into the
# LMS class, keys it does not define are ignored and missing ones take the LMS class defaults.
SD15_CONFIG = {
    "_class_name": "PNDMScheduler",
    "_diffusers_version": "0.6.0",
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "beta_start": 0.00085,
    "clip_sample": False,
    "num_train_timesteps": 1000,
    "set_alpha_to_one": False,
    "skip_prk_steps": True,
    "steps_offset": 1,
    "trained_betas": None,
}


def linspace_f32(start, end, steps):
    """torch.linspace(start, end, steps, dtype=float32) as torch >= 2.0 fills it on CPU (the serial kernel
    of pytorch PR #89048): a float32 step; element i = start + step*i for the first half and
    end - step*(steps-1-i) for the second, each rounded once (the multiply-add is fused in torch's
    AVX2/AVX-512 builds; the float64 product and sum here are exact, so one float32 rounding matches).
    torch 1.13 (Debian's) still used an 8-lane vectorised fill that rounds some elements differently; the
    difference moves the SD-1.5 sigmas by at most 2.4e-7 relative."""
    start, end = f32(start), f32(end)
    step = np.float64((end - start) / f32(steps - 1))
    halfway = steps // 2
    values = [float(start) + step * i if i < halfway else float(end) - step * (steps - 1 - i) for i in range(steps)]
    return np.array(values, dtype=np.float64).astype(f32)


def train_sigmas(cfg):
    n = cfg["num_train_timesteps"]
    if cfg["beta_schedule"] == "scaled_linear":
        root = linspace_f32(cfg["beta_start"] ** 0.5, cfg["beta_end"] ** 0.5, n)
        betas = root * root
    elif cfg["beta_schedule"] == "linear":
        betas = linspace_f32(cfg["beta_start"], cfg["beta_end"], n)
    else:
        raise SystemExit("reference only covers linear and scaled_linear")
    acp = np.cumprod((f32(1) - betas).astype(np.float64)).astype(f32)
    return np.sqrt((f32(1) - acp) / acp).astype(f32)


def karras(sigma_min, sigma_max, n, rho=7.0):
    ramp = np.linspace(0, 1, n)
    lo, hi = sigma_min ** (1 / rho), sigma_max ** (1 / rho)
    return (hi + ramp * (lo - hi)) ** rho


def sigma_to_t(sigma, log_sigmas):
    """Fractional training index whose log-sigma (linearly interpolated) equals log(sigma)."""
    ls = np.log(max(sigma, 1e-10))
    below = np.nonzero(log_sigmas.astype(np.float64) <= ls)[0]
    low = min(below[-1] if len(below) else 0, len(log_sigmas) - 2)
    # The neighbours' difference is float32 (both are float32); the distance to log(sigma) is float64, as
    # numpy >= 2 computes a float32 array minus a float64 scalar (numpy 1.x would round it to float32).
    gap = np.float64(log_sigmas[low] - log_sigmas[low + 1])
    w = np.clip((np.float64(log_sigmas[low]) - ls) / gap, 0, 1)
    return (1 - w) * low + w * (low + 1)


def lms_schedule(cfg, n, use_karras):
    sig = train_sigmas(cfg)
    timesteps = np.linspace(0, cfg["num_train_timesteps"] - 1, n, dtype=f32)[::-1].copy()
    sigmas = np.interp(timesteps, np.arange(len(sig)), sig)
    if use_karras:
        sigmas = karras(float(sigmas[-1]), float(sigmas[0]), n)
        log_sigmas = np.log(sig)
        timesteps = np.array([sigma_to_t(s, log_sigmas) for s in sigmas]).astype(f32)
    return timesteps, np.concatenate([sigmas, [0.0]]).astype(f32)


def lms_coefficient(sigmas, i, order, j):
    """Integral over [s_i, s_{i+1}] of the Lagrange basis polynomial that is 1 at s_{i-j}, 0 at the others."""
    nodes = [float(sigmas[i - k]) for k in range(order)]
    others = [s for k, s in enumerate(nodes) if k != j]
    basis = P.polyfromroots(others) / np.prod([nodes[j] - s for s in others])
    antiderivative = P.polyint(basis)
    return P.polyval(float(sigmas[i + 1]), antiderivative) - P.polyval(float(sigmas[i]), antiderivative)


def dummy_model(x, t):
    return (f32(0.1) * x + f32(0.01 * t / 1000)).astype(f32)


def initial_noise(size=16):
    return np.array([((i * 5) % 17 - 8) / 8 for i in range(size)], dtype=f32)


def lms_loop(cfg, n, use_karras, prediction_type, max_order=4):
    timesteps, sigmas = lms_schedule(cfg, n, use_karras)
    x = initial_noise() * sigmas.max()  # init_noise_sigma for "linspace" spacing
    derivatives = []
    for i, t in enumerate(timesteps):
        s = sigmas[i]
        scaled = x / np.sqrt(s * s + f32(1))
        out = dummy_model(scaled, float(t))
        if prediction_type == "epsilon":
            x0 = x - s * out
        else:
            x0 = out * (-s / np.sqrt(s * s + f32(1))) + x / (s * s + f32(1))
        derivatives = (derivatives + [(x - x0) / s])[-max_order:]
        order = min(i + 1, max_order)
        coefficients = [lms_coefficient(sigmas, i, order, j) for j in range(order)]
        x = x + sum(c * d for c, d in zip(coefficients, reversed(derivatives)))
        assert x.dtype == f32
    return x


def floats(a):
    return [float(v) for v in np.asarray(a).ravel()]


def main():
    cfg = SD15_CONFIG
    schedules = []
    for n in (10, 25, 50):
        for use_karras in (False, True):
            ts, sig = lms_schedule(cfg, n, use_karras)
            schedules.append({"steps": n, "useKarrasSigmas": use_karras, "timesteps": floats(ts),
                              "sigmas": floats(sig), "initNoiseSigma": float(sig.max())})
    loops = []
    for n in (10, 25, 50):
        for use_karras in (False, True):
            for prediction_type in ("epsilon", "v_prediction"):
                final = lms_loop(cfg, n, use_karras, prediction_type)
                loops.append({"steps": n, "useKarrasSigmas": use_karras, "predictionType": prediction_type,
                              "finalSample": floats(final)})
    doc = {
        "_generatedBy": "packages/scheduler/test/golden/lms_reference.py",
        "_command": "/usr/bin/python3 packages/scheduler/test/golden/lms_reference.py",
        "_versions": {"python": sys.version.split()[0], "numpy": np.__version__,
                      "diffusersAlgorithm": "0.40.0.dev0 (58eb52c)"},
        "_date": datetime.date.today().isoformat(),
        "config": cfg,
        "initialNoise": floats(initial_noise()),
        "dummyModel": "out = 0.1 * scaled_x + 0.01 * t / 1000 (float32)",
        "schedules": schedules,
        "loops": loops,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lms_reference.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
