#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <random>
#include "GramKernel.h"
int main(int argc, char** argv) {
  int64_t n = atol(argv[1]), k = atol(argv[2]); int reps = argc > 3 ? atoi(argv[3]) : 5; int threads = argc > 4 ? atoi(argv[4]) : 1;
  std::vector<float> x(size_t(n) * k); std::mt19937 g(1); std::normal_distribution<float> d;
  for (auto& v : x) v = d(g);
  std::vector<double> out(size_t(n) * n);
  double best = 1e9;
  for (int r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    ab::gram_kernel(x.data(), n, k, k, out.data(), threads);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  // checksum vs naive for a few entries
  double maxerr = 0;
  for (int t = 0; t < 50; ++t) { int64_t i = (t * 37) % n, j = (t * 91 + 5) % n; long double s = 0; for (int64_t c = 0; c < k; ++c) s += (long double)x[i*k+c] * x[j*k+c]; maxerr = std::max(maxerr, std::abs(double(s) - out[i*n+j]) / std::abs(double(s) + 1e-300)); }
  printf("n=%ld k=%ld threads=%d best %.1f ms  %.1f GMAC/s  spot rel err %.1e\n", n, k, threads, best*1e3, double(n)*n*k/2/best/1e9, maxerr);
}
