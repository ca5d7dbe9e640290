"""Times, on one thread, the LAPACK calls a spectrum-by-factorisation would need at n = B against eigvalsh, on an F~
printed by `autobatch measure --gram` (argument: the report). Median of 10 after one warm-up."""
import json, sys, time

import torch

torch.set_num_threads(1)
gram = torch.tensor(json.load(open(sys.argv[1]))["gram"], dtype=torch.float64)
n = gram.shape[0]
eye = torch.eye(n, dtype=torch.float64)
shifted = gram - 1e-9 * gram.diagonal().max() * eye


def median_ms(f, reps=10):
    f()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return 1e3 * sorted(times)[reps // 2]


print(f"n={n} eigvalsh {median_ms(lambda: torch.linalg.eigvalsh(gram)):.1f} ms"
      f"  ldl_factor(F - tau I) {median_ms(lambda: torch.linalg.ldl_factor(shifted)):.1f} ms"
      f"  cholesky(F + I) {median_ms(lambda: torch.linalg.cholesky(gram + eye)):.1f} ms")
