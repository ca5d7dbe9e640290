// Times the spectrum extremes (dsytrd, then Sturm-count multisection) against torch::linalg_eigvalsh on Grams of random rows.
#include <torch/torch.h>
#include <chrono>
#include <cstdio>
#include "Spectrum.h"
int main() {
  torch::set_num_threads(1);
  for (int64_t n : {32, 128, 200, 256, 300, 512}) {
    auto j = torch::randn({n, n * 2}, torch::kDouble);
    auto g = j.mm(j.t());
    double best_full = 1e9, best_fast = 1e9;
    ab::SpectrumExtremes x;
    for (int rep = 0; rep < (n >= 512 ? 5 : 30); ++rep) {
      auto t0 = std::chrono::steady_clock::now();
      auto ev = torch::linalg_eigvalsh(g);
      auto t1 = std::chrono::steady_clock::now();
      ab::spectrum_extremes(g, g.abs().max().item<double>(), [](double top) { return top * 1e-10; }, &x);
      auto t2 = std::chrono::steady_clock::now();
      best_full = std::min(best_full, std::chrono::duration<double>(t1 - t0).count());
      best_fast = std::min(best_fast, std::chrono::duration<double>(t2 - t1).count());
      if (rep == 0) printf("n=%ld lmax %.17g vs %.17g  lmin %.17g vs %.17g rank %d\n", n, x.lambda_max, ev[n-1].item<double>(), x.lambda_min_positive, ev[n - x.rank].item<double>(), x.rank);
    }
    printf("n=%ld eigvalsh %.3f ms  extremes %.3f ms\n", n, best_full * 1e3, best_fast * 1e3);
  }
}
