#!/usr/bin/python3
"""Golden values for DpmSolverMultistepScheduler (DPM-Solver++ 2M), computed independently in numpy.

Regenerate (from the repository root, with Debian's interpreter, which has numpy 1.24):

    /usr/bin/python3 packages/scheduler/test/golden/dpm_reference.py

It writes dpm_reference.json next to this file. Nothing here imports our TypeScript or diffusers
(diffusers is not installable offline). The algorithm follows diffusers' DPMSolverMultistepScheduler
as of diffusers 0.40.0.dev0 (commit 58eb52c, scheduling_dpmsolver_multistep.py), re-derived from the
DPM-Solver++ paper (Lu et al. 2022, arXiv:2211.01095, eqs. for the 2M "midpoint" multistep update):

  * training schedule: betas from torch.linspace in float32 as torch >= 2.0 computes it (scaled_linear:
    linspace of sqrt, squared), alphas_cumprod = cumprod(1 - beta) accumulated in double and rounded
    to float32 per element (what torch's CPU cumprod does), sigma_train = sqrt((1 - acp) / acp) in float32;
  * timesteps ("linspace" spacing): round-half-even(linspace(0, last - 1, n + 1)) reversed, last dropped;
    "leading" and "trailing" as diffusers' DPM variant;
  * sigmas: sigma_train at the timesteps, then a final sigma of 0 (final_sigmas_type "zero", the default);
  * Karras: sigma_i = (smax^(1/7) + i/(n-1) (smin^(1/7) - smax^(1/7)))^7 over the full training range,
    timesteps = round-half-even(log-sigma interpolation index) (see sigma_to_t for its float32 parts);
  * step: alpha = 1/sqrt(s^2 + 1), sigma = s * alpha, lambda = log alpha - log sigma, data prediction
    x0 from epsilon or v; first order x_t = (sigma_t/sigma_s) x - alpha_t (e^-h - 1) x0; second order
    adds -0.5 alpha_t (e^-h - 1) D1 with D1 = (x0_0 - x0_1) / r0, r0 = h_prev / h; first order on the
    first step and on the last step (zero final sigma or lower_order_final with < 15 steps).

The per-step arithmetic is carried out in float32 (numpy float32 scalars and arrays), as diffusers does
with float32 torch tensors. Where torch is importable, the float32 cumprod is cross-checked against
torch.cumprod (the call diffusers makes) and the script stops if it differs.

The dummy model is eps(x, t) = 0.1 x + 0.01 t / 1000 (interpreted as v for v_prediction); the starting
noise is a fixed, exactly representable pattern stored in the JSON.
"""
import datetime
import json
import os
import sys

import numpy as np

f32 = np.float32

# runwayml/stable-diffusion-v1-5 scheduler/scheduler_config.json (a PNDMScheduler config). Loaded into the
# DPM class, keys it does not define are ignored and missing ones take the DPM class defaults.
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


def train_alphas_cumprod(cfg):
    n = cfg["num_train_timesteps"]
    if cfg["beta_schedule"] == "scaled_linear":
        root = linspace_f32(cfg["beta_start"] ** 0.5, cfg["beta_end"] ** 0.5, n)
        betas = root * root
    elif cfg["beta_schedule"] == "linear":
        betas = linspace_f32(cfg["beta_start"], cfg["beta_end"], n)
    else:
        raise SystemExit("reference only covers linear and scaled_linear")
    alphas = f32(1) - betas
    acp = np.cumprod(alphas.astype(np.float64)).astype(f32)
    cross_check_with_torch(alphas, acp)
    return acp


def cross_check_with_torch(alphas, acp):
    """torch's CPU cumprod is what diffusers calls; check the double-accumulation emulation against it."""
    try:
        import torch
    except ImportError:
        return
    want = torch.cumprod(torch.from_numpy(alphas), dim=0).numpy()
    if not np.array_equal(want, acp):
        raise SystemExit("float32 alphas_cumprod emulation differs from torch.cumprod")


def train_sigmas(acp):
    return np.sqrt((f32(1) - acp) / acp).astype(f32)


def round_half_even(a):
    return np.round(a)  # numpy rounds halves to even, as diffusers' .round() on numpy arrays does


def dpm_timesteps(cfg, n, spacing):
    last = cfg["num_train_timesteps"]  # lambda_min_clipped = -inf clips nothing
    if spacing == "linspace":
        return round_half_even(np.linspace(0, last - 1, n + 1))[::-1][:-1].astype(np.int64)
    if spacing == "leading":
        ratio = last // (n + 1)
        return (round_half_even(np.arange(0, n + 1) * ratio)[::-1][:-1] + cfg["steps_offset"]).astype(np.int64)
    if spacing == "trailing":
        ratio = cfg["num_train_timesteps"] / n
        return (round_half_even(np.arange(last, 0, -ratio)) - 1).astype(np.int64)
    raise SystemExit(spacing)


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


def dpm_schedule(cfg, n, use_karras, spacing="linspace", final_sigmas_type="zero"):
    acp = train_alphas_cumprod(cfg)
    sig = train_sigmas(acp)
    if use_karras:
        sigmas = karras(float(sig[0]), float(sig[-1]), n)
        log_sigmas = np.log(sig)
        timesteps = round_half_even(np.array([sigma_to_t(s, log_sigmas) for s in sigmas])).astype(np.int64)
    else:
        timesteps = dpm_timesteps(cfg, n, spacing)
        sigmas = sig[timesteps].astype(np.float64)
    last = f32(0) if final_sigmas_type == "zero" else sig[0]
    return timesteps, np.concatenate([sigmas, [last]]).astype(f32)


def alpha_sigma(s):
    alpha = f32(1) / np.sqrt(s * s + f32(1))
    return alpha, s * alpha


def log_snr(s):
    alpha, sigma = alpha_sigma(s)
    with np.errstate(divide="ignore"):
        return np.log(alpha) - np.log(sigma)


def dummy_model(x, t):
    return (f32(0.1) * x + f32(0.01 * t / 1000)).astype(f32)


def initial_noise(size=16):
    return np.array([((i * 5) % 17 - 8) / 8 for i in range(size)], dtype=f32)


def dpm_loop(cfg, n, use_karras, prediction_type, solver_order=2, final_sigmas_type="zero"):
    timesteps, sigmas = dpm_schedule(cfg, n, use_karras, final_sigmas_type=final_sigmas_type)
    x = initial_noise() * f32(1.0)  # init_noise_sigma = 1
    history = []
    for i, t in enumerate(timesteps):
        out = dummy_model(x, int(t))  # scale_model_input is the identity
        s0, st = sigmas[i], sigmas[i + 1]
        alpha_s0, sigma_s0 = alpha_sigma(s0)
        alpha_t, sigma_t = alpha_sigma(st)
        if prediction_type == "epsilon":
            x0 = (x - sigma_s0 * out) / alpha_s0
        else:
            x0 = alpha_s0 * x - sigma_s0 * out
        history = (history + [x0])[-solver_order:]
        h = log_snr(st) - log_snr(s0)
        phi = alpha_t * (np.exp(-h) - f32(1))
        last = i == n - 1
        first_order = solver_order == 1 or i == 0 or (last and (n < 15 or final_sigmas_type == "zero"))
        x = (sigma_t / sigma_s0) * x - phi * x0
        if not first_order:
            r0 = (log_snr(s0) - log_snr(sigmas[i - 1])) / h
            d1 = (f32(1) / r0) * (history[-1] - history[-2])
            x = x - f32(0.5) * phi * d1
        assert x.dtype == f32
    return x


def floats(a):
    return [float(v) for v in np.asarray(a).ravel()]


def main():
    cfg = SD15_CONFIG
    schedules = []
    for n in (10, 25, 50):
        for use_karras in (False, True):
            ts, sig = dpm_schedule(cfg, n, use_karras)
            schedules.append({"steps": n, "useKarrasSigmas": use_karras, "timestepSpacing": "linspace",
                              "timesteps": [int(t) for t in ts], "sigmas": floats(sig)})
    for spacing in ("leading", "trailing"):
        ts, sig = dpm_schedule(cfg, 25, False, spacing=spacing)
        schedules.append({"steps": 25, "useKarrasSigmas": False, "timestepSpacing": spacing,
                          "timesteps": [int(t) for t in ts], "sigmas": floats(sig)})
    loops = []
    for n in (10, 25, 50):
        for use_karras in (False, True):
            for prediction_type in ("epsilon", "v_prediction"):
                final = dpm_loop(cfg, n, use_karras, prediction_type)
                loops.append({"steps": n, "useKarrasSigmas": use_karras, "predictionType": prediction_type,
                              "solverOrder": 2, "finalSigmasType": "zero", "finalSample": floats(final)})
    for n, order, final_type in ((10, 1, "zero"), (25, 2, "sigma_min"), (10, 2, "sigma_min")):
        final = dpm_loop(cfg, n, False, "epsilon", solver_order=order, final_sigmas_type=final_type)
        loops.append({"steps": n, "useKarrasSigmas": False, "predictionType": "epsilon",
                      "solverOrder": order, "finalSigmasType": final_type, "finalSample": floats(final)})
    try:
        import torch
        torch_version = torch.__version__
    except ImportError:
        torch_version = None
    doc = {
        "_generatedBy": "packages/scheduler/test/golden/dpm_reference.py",
        "_command": "/usr/bin/python3 packages/scheduler/test/golden/dpm_reference.py",
        "_versions": {"python": sys.version.split()[0], "numpy": np.__version__,
                      "torchCrossCheck": torch_version, "diffusersAlgorithm": "0.40.0.dev0 (58eb52c)"},
        "_date": datetime.date.today().isoformat(),
        "config": cfg,
        "initialNoise": floats(initial_noise()),
        "dummyModel": "out = 0.1 * x + 0.01 * t / 1000 (float32)",
        "schedules": schedules,
        "loops": loops,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dpm_reference.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
