"""Would a spectrum by factorisation beat the Householder reduction for the probe's three numbers (lambda_max, the
rank at the default tolerance B * eps_32, the smallest eigenvalue counted)? Counts, on F~ printed by `autobatch measure
--gram` (arguments: reports), the Lanczos steps (full reorthogonalisation) that lambda_max needs to a residual bound of
1e-14 relative, and the shift-and-invert Lanczos steps on (F~ - tau I)^-1, through an LDL' factorisation (whose
inertia gives the rank), that lambda_r needs to 1e-12 relative; compares both with numpy's eigvalsh."""
import json, sys

import numpy as np
import torch

torch.set_num_threads(1)
EPS32 = float(np.finfo(np.float32).eps)


def lanczos_max(apply, n, tol, max_steps=200, seed=0):
    """Largest Ritz value of the operator, the steps taken and the residual bound."""
    q = np.random.default_rng(seed).standard_normal(n)
    basis = [q / np.linalg.norm(q)]
    alpha, beta = [], []
    for step in range(1, max_steps + 1):
        w = apply(basis[-1])
        alpha.append(w @ basis[-1])
        stacked = np.array(basis)
        w = w - stacked.T @ (stacked @ w)
        w = w - stacked.T @ (stacked @ w)  # twice is enough
        b = np.linalg.norm(w)
        t = np.diag(alpha) + np.diag(beta, 1) + np.diag(beta, -1)
        values, vectors = np.linalg.eigh(t)
        bound = abs(b * vectors[-1, -1])
        if bound <= tol * abs(values[-1]) or b == 0:
            return values[-1], step, bound
        beta.append(b)
        basis.append(w / b)
    return values[-1], max_steps, bound


for path in sys.argv[1:]:
    gram = np.array(json.load(open(path))["gram"])
    n = gram.shape[0]
    eigen = np.linalg.eigvalsh(gram)
    tau = eigen[-1] * (n * EPS32) ** 2  # sigma > sigma_max B eps32, squared
    rank = int((eigen > tau).sum())
    lambda_r = eigen[n - rank]
    top, steps_max, _ = lanczos_max(lambda v: gram @ v, n, 1e-14)
    factors, pivots = torch.linalg.ldl_factor(torch.tensor(gram - tau * np.eye(n)))
    solve = lambda v: torch.linalg.ldl_solve(factors, pivots, torch.tensor(v).reshape(-1, 1)).numpy().ravel()
    mu, steps_r, _ = lanczos_max(solve, n, 1e-12)
    near = eigen[max(0, n - rank - 3):n - rank + 4] / tau
    print(f"{path}: n={n} rank={rank}  lambda_max rel. error {abs(top - eigen[-1]) / eigen[-1]:.1e} after {steps_max} steps;"
          f"  lambda_r rel. error {abs(tau + 1 / mu - lambda_r) / lambda_r:.1e} after {steps_r} steps;"
          f"  eigenvalues / tau around r: {np.array2string(near, precision=3)}")
