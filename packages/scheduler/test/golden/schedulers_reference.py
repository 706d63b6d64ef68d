#!/usr/bin/python3
"""Golden values for @perfusion/scheduler's DDIM, PNDM, Euler and Euler-ancestral tests.

Regenerate (from the repository root, with Debian's python3-numpy and python3-torch):

    /usr/bin/python3 packages/scheduler/test/golden/schedulers_reference.py \
        > packages/scheduler/test/golden/schedulers.json

This is an independent reference: it is written from the published algorithms (DDIM: Song et al.
2020, eq. 12/16; PNDM: Liu et al. 2022, eq. 11 and its pseudo Runge-Kutta / linear multistep
methods; Euler and ancestral Euler: Karras et al. 2022 and k-diffusion) following the step
conventions documented by diffusers' schedulers (which timesteps are visited, in which order, which
values are float32), not from the TypeScript code. The training tables use torch exactly as
diffusers does (torch.linspace in float32, torch.cumprod), since their last bits are torch's.

Every denoising loop runs twice: in float32 (each operation rounded to float32 like diffusers'
torch tensors; the golden the tests compare with) and in float64 from the same float32 tables.
The gap between the two ("float32_vs_float64") measures how much float32 rounding alone moves the
result, which bounds how closely two correct float32 implementations can agree.

The dummy model is eps(x, t) = 0.1*x + 1e-5*t, evaluated in float64 on the float32 input and rounded
to float32. The initial latents and the noise of the stochastic samplers are NumPy RandomState
normals rounded to float32, stored in the output so the tests feed the same numbers.
"""
import datetime
import json
import math
import sys

import numpy as np
import torch

F32 = np.float32

SD15 = {
    "_class_name": "PNDMScheduler",
    "_diffusers_version": "0.6.0",
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "beta_start": 0.00085,
    "num_train_timesteps": 1000,
    "set_alpha_to_one": False,
    "skip_prk_steps": True,
    "steps_offset": 1,
    "trained_betas": None,
    "clip_sample": False,
}

# Defaults of the diffusers classes for keys SD-1.5's file leaves out.
CLASS_DEFAULTS = {
    "ddim": {"timestep_spacing": "leading", "prediction_type": "epsilon", "clip_sample_range": 1.0},
    "pndm": {"timestep_spacing": "leading", "prediction_type": "epsilon"},
    "euler": {"timestep_spacing": "linspace", "prediction_type": "epsilon", "use_karras_sigmas": False},
    "euler-a": {"timestep_spacing": "linspace", "prediction_type": "epsilon"},
}


def settings(kind, **overrides):
    out = dict(CLASS_DEFAULTS[kind])
    out.update({k: v for k, v in SD15.items() if not k.startswith("_")})
    out.update(overrides)
    return out


# ---------------------------------------------------------------- training tables (torch, float32)

def betas_for(schedule, n=1000, start=0.0001, end=0.02):
    if schedule == "linear":
        return torch.linspace(start, end, n, dtype=torch.float32).numpy()
    if schedule == "scaled_linear":
        return (torch.linspace(math.sqrt(start), math.sqrt(end), n, dtype=torch.float32) ** 2).numpy()
    # Nichol & Dhariwal's cosine schedule, beta capped at 0.999, in float64 then rounded.
    abar = lambda s: math.cos((s + 0.008) / 1.008 * math.pi / 2) ** 2
    return np.array([min(1 - abar((i + 1) / n) / abar(i / n), 0.999) for i in range(n)], dtype=F32)


def cumulative_alphas(betas):
    return torch.cumprod(1.0 - torch.from_numpy(betas), dim=0).numpy()


def sd15_alphas():
    return cumulative_alphas(betas_for("scaled_linear", 1000, SD15["beta_start"], SD15["beta_end"]))


# ---------------------------------------------------------------- timestep spacing (numpy float64)

def spaced(s, n, fractional_linspace):
    """Descending training timesteps for n inference steps (Lin et al. 2023, table 2)."""
    N = s["num_train_timesteps"]
    if s["timestep_spacing"] == "leading":
        return (np.arange(n) * (N // n))[::-1] + s["steps_offset"]
    if s["timestep_spacing"] == "trailing":
        return np.round(np.arange(N, 0, -N / n)) - 1
    points = np.linspace(0, N - 1, n)[::-1]
    return points.astype(F32) if fractional_linspace else np.round(points)


def pndm_order(s, n):
    """PNDM's visiting order: (prk timesteps, plms timesteps)."""
    up = [int(t) for t in spaced(s, n, False)[::-1]]  # ascending
    if s["skip_prk_steps"]:
        # Every timestep from the top, the second one twice (the warm-up step is redone).
        down = up[::-1]
        return [], down[:1] + [down[1]] * 2 + down[2:] if n > 1 else down
    h = (s["num_train_timesteps"] // n) // 2
    # start, midpoint (the next lower base timestep + h) twice, next lower base timestep
    top = up[-4:][::-1]  # each RK step goes from one of the top timesteps to the next lower one
    prk = []
    for start, end in zip(top[:-1], top[1:]):
        prk += [start, end + h, end + h, end]
    return prk, up[: max(0, n - 3)][::-1]


# ---------------------------------------------------------------- sigma schedules (numpy)

def sigma_table(ac):
    return np.sqrt((F32(1) - ac) / ac)  # float32 throughout


def sigma_to_t(sigma, log_table):
    ls = math.log(max(sigma, 1e-10))
    lo = int(np.clip(np.searchsorted(log_table.astype(np.float64), ls, side="right") - 1, 0, len(log_table) - 2))
    w = (np.float64(log_table[lo]) - ls) / np.float64(log_table[lo] - log_table[lo + 1])
    w = min(max(w, 0.0), 1.0)
    return (1 - w) * lo + w * (lo + 1)


def euler_schedule(s, n, ac):
    table = sigma_table(ac)
    ts = spaced(s, n, True).astype(np.float64)
    sig = np.interp(ts, np.arange(len(table)), table)
    if s.get("use_karras_sigmas"):
        rho = 7.0
        ramp = np.linspace(0, 1, n)
        hi, lo = sig[0] ** (1 / rho), sig[-1] ** (1 / rho)
        sig = (hi + ramp * (lo - hi)) ** rho
        log_table = np.log(table)  # float32 log, as NumPy computes it for diffusers
        ts = np.array([sigma_to_t(x, log_table) for x in sig])
    sigmas = np.append(sig, 0.0).astype(F32)
    top = sigmas.max()
    init = top if s["timestep_spacing"] in ("linspace", "trailing") else np.sqrt(top * top + F32(1))
    return ts.astype(F32), sigmas, F32(init)


# ---------------------------------------------------------------- dummy model and loops

def model(x, t, dt):
    return (0.1 * x.astype(np.float64) + 1e-5 * float(t)).astype(dt)


class Noise:
    def __init__(self, values, dt):
        self.values, self.used, self.dt = values, 0, dt

    def take(self, n):
        out = self.values[self.used:self.used + n].astype(self.dt)
        self.used += n
        return out


def run_ddim(s, n, x, dt, noise=None, eta=0.0):
    ac = sd15_alphas().astype(dt)
    one = dt(1)
    final = one if s["set_alpha_to_one"] else ac[0]
    ratio = s["num_train_timesteps"] // n
    for t in [int(v) for v in spaced(s, n, False)]:
        e = model(x, t, dt)
        a = ac[t]
        ap = ac[t - ratio] if t - ratio >= 0 else final
        sa, sb = np.sqrt(a), np.sqrt(one - a)
        kind = s["prediction_type"]
        if kind == "epsilon":
            x0, eps = (x - sb * e) / sa, e
        elif kind == "sample":
            x0, eps = e, (x - sa * e) / sb
        else:
            x0, eps = sa * x - sb * e, sa * e + sb * x
        if s["clip_sample"]:
            r = dt(s["clip_sample_range"])
            x0 = np.clip(x0, -r, r)
        std = dt(eta) * np.sqrt(((one - ap) / (one - a)) * (one - a / ap))
        x = np.sqrt(ap) * x0 + np.sqrt(one - ap - std * std) * eps
        if eta > 0:
            x = x + std * noise.take(len(x))
    return x


def pndm_transfer(x, t_from, t_to, eps, ac, final, s, dt):
    """x_{t_to} from x_{t_from} and eps: Liu et al. 2022, eq. 11 (v-prediction converted to eps first)."""
    one = dt(1)
    a = ac[t_from]
    ap = ac[t_to] if t_to >= 0 else final
    if s["prediction_type"] == "v_prediction":
        eps = np.sqrt(a) * eps + np.sqrt(one - a) * x
    denom = a * np.sqrt(one - ap) + np.sqrt(a * (one - a) * ap)
    return np.sqrt(ap / a) * x - (ap - a) * eps / denom


ADAMS_BASHFORTH = {1: [1], 2: [3 / 2, -1 / 2], 3: [23 / 12, -16 / 12, 5 / 12], 4: [55 / 24, -59 / 24, 37 / 24, -9 / 24]}


def adams_bashforth(history, dt):
    coeffs = ADAMS_BASHFORTH[min(len(history), 4)]
    # diffusers forms (55*e1 - 59*e2 + ...)/24 etc.; do the same to round alike in float32
    recent = history[::-1][: len(coeffs)]
    if len(coeffs) == 2:
        return (dt(3) * recent[0] - recent[1]) / dt(2)
    if len(coeffs) == 3:
        return (dt(23) * recent[0] - dt(16) * recent[1] + dt(5) * recent[2]) / dt(12)
    if len(coeffs) == 4:
        return dt(1 / 24) * (dt(55) * recent[0] - dt(59) * recent[1] + dt(37) * recent[2] - dt(9) * recent[3])
    return recent[0]


def run_pndm(s, n, x, dt):
    ac = sd15_alphas().astype(dt)
    final = dt(1) if s["set_alpha_to_one"] else ac[0]
    r = s["num_train_timesteps"] // n
    h = r // 2
    prk, plms = pndm_order(s, n)
    go = lambda x, a, b, e: pndm_transfer(x, a, b, e, ac, final, s, dt)
    history = []
    for k in range(0, len(prk), 4):  # pseudo Runge-Kutta: RK4 weights 1/6, 1/3, 1/3, 1/6
        start, mid, end = prk[k], prk[k + 1], prk[k + 3]
        e1 = model(x, start, dt)
        history.append(e1)
        x1 = go(x, start, start - h, e1)
        e2 = model(x1, mid, dt)
        x2 = go(x, start, mid, e2)
        e3 = model(x2, mid, dt)
        x3 = go(x, start, mid - h, e3)
        e4 = model(x3, end, dt)
        x = go(x, start, end, dt(1 / 6) * e1 + dt(1 / 3) * e2 + dt(1 / 3) * e3 + dt(1 / 6) * e4)
    if s["skip_prk_steps"]:
        # Warm-up: an Euler step, then the same step redone with the mean of both outputs; the
        # second output is not kept for the multistep history.
        t0, t1 = plms[0], plms[1]
        e0 = model(x, t0, dt)
        history.append(e0)
        x_start = x
        x = go(x, t0, t0 - r, e0)
        if n > 1:
            e1 = model(x, t1, dt)
            x = go(x_start, t1 + r, t1, (e1 + e0) / dt(2))
        plms = plms[2:]
    for t in plms:
        history.append(model(x, t, dt))
        x = go(x, t, t - r, adams_bashforth(history[-4:], dt))
    return x


def run_euler(s, n, x, dt):
    ts, sigmas, init = euler_schedule(s, n, sd15_alphas())
    sigmas = sigmas.astype(dt)
    x = (x * init).astype(dt)
    one = dt(1)
    for i, t in enumerate(ts):
        sg = sigmas[i]
        e = model(x / np.sqrt(sg * sg + one), t, dt)
        kind = s["prediction_type"]
        if kind == "epsilon":
            x0 = x - sg * e
        elif kind == "sample":
            x0 = e
        else:
            x0 = e * (-sg / np.sqrt(sg * sg + one)) + x / (sg * sg + one)
        x = x + (x - x0) / sg * (sigmas[i + 1] - sg)
    return x


def run_euler_ancestral(s, n, x, dt, noise):
    ts, sigmas, init = euler_schedule(s, n, sd15_alphas())
    sigmas = sigmas.astype(dt)
    x = (x * init).astype(dt)
    one = dt(1)
    for i, t in enumerate(ts):
        sg, nxt = sigmas[i], sigmas[i + 1]
        e = model(x / np.sqrt(sg * sg + one), t, dt)
        if s["prediction_type"] == "epsilon":
            x0 = x - sg * e
        else:
            x0 = e * (-sg / np.sqrt(sg * sg + one)) + x / (sg * sg + one)
        up = np.sqrt(nxt * nxt * (sg * sg - nxt * nxt) / (sg * sg))
        down = np.sqrt(nxt * nxt - up * up)
        x = x + (x - x0) / sg * (down - sg)
        x = x + noise.take(len(x)) * up
    return x


# ---------------------------------------------------------------- output

def floats(a):
    return [float(v) for v in np.asarray(a).ravel()]


def relative_gap(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def main():
    size = 16
    steps_in_loops = 10
    latents = np.random.RandomState(1234).randn(size).astype(F32)
    noise_values = np.random.RandomState(7).randn(size * steps_in_loops).astype(F32)

    tables = {}
    for name, args in {
        "scaled_linear_sd15": ("scaled_linear", 1000, SD15["beta_start"], SD15["beta_end"]),
        "linear_default": ("linear", 1000, 0.0001, 0.02),
        "squaredcos_cap_v2": ("squaredcos_cap_v2", 1000),
    }.items():
        b = betas_for(*args)
        tables[name] = {"betas": floats(b), "alphas_cumprod": floats(cumulative_alphas(b))}

    # torch.linspace cases where naive float32 arithmetic differs from torch's kernel in some element
    linspace_cases = []
    for start, end, steps in [(0.3, 0.9, 100), (0.013, 0.9, 777), (1e-4, 0.5, 50), (0.1, 0.7, 7), (0.2, 0.25, 31)]:
        values = torch.linspace(start, end, steps, dtype=torch.float32).numpy()
        naive_step = F32(F32(end) - F32(start)) / F32(steps - 1)
        naive = F32(start) + naive_step * np.arange(steps, dtype=F32)
        linspace_cases.append({"start": start, "end": end, "steps": steps, "values": floats(values),
                               "naive_float32_differs_in": int(np.sum(naive != values))})

    schedules = {}
    for steps in (10, 25, 50):
        entry = {}
        for label, s in {
            "ddim": settings("ddim"),
            "ddim_trailing": settings("ddim", timestep_spacing="trailing"),
            "ddim_linspace": settings("ddim", timestep_spacing="linspace"),
        }.items():
            entry[label] = [int(t) for t in spaced(s, steps, False)]
        for label, s in {
            "pndm": settings("pndm"),
            "pndm_prk": settings("pndm", skip_prk_steps=False),
            "pndm_trailing": settings("pndm", timestep_spacing="trailing"),
        }.items():
            prk, plms = pndm_order(s, steps)
            entry[label] = [int(t) for t in prk + plms]
        for label, s in {
            "euler": settings("euler"),
            "euler_karras": settings("euler", use_karras_sigmas=True),
            "euler_leading": settings("euler", timestep_spacing="leading"),
            "euler_trailing": settings("euler", timestep_spacing="trailing"),
            "euler_a": settings("euler-a"),
        }.items():
            ts, sigmas, init = euler_schedule(s, steps, sd15_alphas())
            entry[label] = {"timesteps": floats(ts), "sigmas": floats(sigmas), "init_noise_sigma": float(init)}
        schedules[str(steps)] = entry

    loops = []

    def record(label, scheduler, overrides, run):
        s = settings(scheduler, **overrides)
        results = {dt.__name__: run(s, dt) for dt in (F32, np.float64)}
        loops.append({
            "label": label,
            "scheduler": scheduler,
            "config_overrides": overrides,
            "steps": steps_in_loops,
            "final_float32": floats(results["float32"]),
            "float32_vs_float64": relative_gap(results["float32"], results["float64"]),
        })

    n = steps_in_loops
    for kind in ("epsilon", "v_prediction", "sample"):
        record(f"ddim {kind}", "ddim", {"prediction_type": kind},
               lambda s, dt: run_ddim(s, n, latents.astype(dt), dt))
    record("ddim epsilon eta=1", "ddim", {},
           lambda s, dt: run_ddim(s, n, latents.astype(dt), dt, Noise(noise_values, dt), eta=1.0))
    record("ddim epsilon clip trailing alpha-one", "ddim",
           {"clip_sample": True, "clip_sample_range": 1.0, "timestep_spacing": "trailing", "set_alpha_to_one": True},
           lambda s, dt: run_ddim(s, n, latents.astype(dt), dt))
    for kind in ("epsilon", "v_prediction"):
        record(f"pndm {kind}", "pndm", {"prediction_type": kind}, lambda s, dt: run_pndm(s, n, latents.astype(dt), dt))
    record("pndm epsilon prk", "pndm", {"skip_prk_steps": False}, lambda s, dt: run_pndm(s, n, latents.astype(dt), dt))
    for kind in ("epsilon", "v_prediction", "sample"):
        record(f"euler {kind}", "euler", {"prediction_type": kind}, lambda s, dt: run_euler(s, n, latents.astype(dt), dt))
    record("euler epsilon karras", "euler", {"use_karras_sigmas": True},
           lambda s, dt: run_euler(s, n, latents.astype(dt), dt))
    record("euler epsilon leading", "euler", {"timestep_spacing": "leading"},
           lambda s, dt: run_euler(s, n, latents.astype(dt), dt))
    for kind in ("epsilon", "v_prediction"):
        record(f"euler-a {kind}", "euler-a", {"prediction_type": kind},
               lambda s, dt: run_euler_ancestral(s, n, latents.astype(dt), dt, Noise(noise_values, dt)))

    ac = sd15_alphas()
    x0 = latents
    eps = noise_values[:size]
    ts, sigmas, _ = euler_schedule(settings("euler"), 10, ac)
    add_noise = {
        "timestep_ddpm": 501,
        "ddpm": floats(np.sqrt(ac[501]) * x0 + np.sqrt(F32(1) - ac[501]) * eps),
        "timestep_euler": float(ts[3]),
        "euler": floats(x0 + eps * sigmas[3]),
    }

    log_table = np.log(sigma_table(ac))
    exact_log = np.log(sigma_table(ac).astype(np.float64)).astype(F32)

    json.dump({
        "_header": {
            "command": "/usr/bin/python3 packages/scheduler/test/golden/schedulers_reference.py > packages/scheduler/test/golden/schedulers.json",
            "python": sys.version.split()[0],
            "numpy": np.__version__,
            "torch": torch.__version__,
            "date": datetime.date.today().isoformat(),
            "notes": "Independent numpy reference of diffusers' DDIM, PNDM, Euler and Euler-ancestral; see the script's docstring.",
            "numpy_float32_log_not_correctly_rounded": int(np.sum(log_table != exact_log)),
        },
        "sd15_config": SD15,
        "tables": tables,
        "schedules": schedules,
        "loop_inputs": {"latents": floats(latents), "noise": floats(noise_values), "model": "eps(x, t) = float32(0.1*x + 1e-5*t)"},
        "loops": loops,
        "torch_linspace": linspace_cases,
        "add_noise": add_noise,
    }, sys.stdout, indent=None, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
