#include "GramSummary.h"

#include <algorithm>
#include <cmath>

#include "Parallel.h"

namespace ab {

namespace {

// Independent chains instead of one serial one (whose add latency bounds it), which the compiler may also vectorise,
// and the same value whether it does or not. The loops over the lanes are unrolled (#pragma GCC unroll), or GCC keeps
// the partial sums in memory at -O2 and every add waits for a store.
constexpr int kLanes = 4;
// A 2^15-entry float64 pass takes ~10-20 us, about what handing it to a team costs: shared at B = 512, not at 128.
constexpr int64_t kMinParallelEntries = int64_t(1) << 15;

double lane_total(const double (&lanes)[kLanes]) { return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]); }
double lane_max(const double (&lanes)[kLanes]) {
  return std::max(std::max(lanes[0], lanes[1]), std::max(lanes[2], lanes[3]));
}

}  // namespace

void symmetrise(const double* a, double* s, int64_t n, int threads) {
  constexpr int64_t kBlock = 8;
  int64_t blocks = (n + kBlock - 1) / kBlock;
  int64_t min_blocks = kMinParallelEntries / (kBlock * std::max<int64_t>(n, 1)) + 1;
  parallel_ranges(blocks, threads, min_blocks, [&](int64_t b0, int64_t b1) {
    for (int64_t i0 = b0 * kBlock; i0 < std::min(b1 * kBlock, n); i0 += kBlock)
      for (int64_t j0 = 0; j0 < n; j0 += kBlock)
        for (int64_t i = i0; i < std::min(i0 + kBlock, n); ++i)
          for (int64_t j = j0; j < std::min(j0 + kBlock, n); ++j) s[i * n + j] = (a[i * n + j] + a[j * n + i]) * 0.5;
  });
}

GramSummary summarise_gram(const double* g, int64_t n) {
  bool finite = true;
  double maxima[kLanes] = {}, totals[kLanes] = {}, trace = 0;
  auto add = [&](int64_t k, int l) {
    double v = g[k];
    finite = finite & std::isfinite(v);
    maxima[l] = std::max(maxima[l], std::fabs(v));
    totals[l] += v;
  };
  int64_t k = 0, count = n * n;
  for (; k + kLanes <= count; k += kLanes)
#pragma GCC unroll 4
    for (int l = 0; l < kLanes; ++l) add(k + l, l);
  for (int l = 0; k < count; ++k, ++l) add(k, l);
  for (int64_t i = 0; i < n; ++i) trace += g[i * n + i];
  return {finite, lane_max(maxima), lane_total(totals), trace};
}

}  // namespace ab
