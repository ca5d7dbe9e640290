// Scratch check (session 7): BatchNorm's portable and AVX-512 sums (the two functions copied verbatim from
// src/AutoBatch.Engine/Native/Probe.cpp at the commit in commit.txt) on random rows of 1-1000 positions, bit for bit.
// Build and run: g++ -O2 -ffp-contract=off -std=c++17 bn-bits.cpp -o bn-bits && ./bn-bits   (output: bn-bits.txt)
#include <immintrin.h>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>
constexpr int kBnLanes = 8;

struct BnSums {
  double x, xx, dx, d;
};

double bn_lane_total(const double (&l)[kBnLanes]) {
  return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
}

BnSums bn_sums_portable(const float* xr, const float* dr, int64_t positions, double k) {
  double sx[kBnLanes] = {}, sxx[kBnLanes] = {}, sdx[kBnLanes] = {}, sd[kBnLanes] = {};
  auto add = [&](int64_t t, int l) {
    double centred = double(xr[t]) - k;
    double delta = double(dr[t]);
    sx[l] += centred;
    sxx[l] += centred * centred;
    sdx[l] += delta * centred;
    sd[l] += delta;
  };
  int64_t t = 0;
  for (; t + kBnLanes <= positions; t += kBnLanes)
#pragma GCC unroll 8
    for (int l = 0; l < kBnLanes; ++l) add(t + l, l);
  for (int l = 0; t < positions; ++t, ++l) add(t, l);
  return {bn_lane_total(sx), bn_lane_total(sxx), bn_lane_total(sdx), bn_lane_total(sd)};
}

// GCC 12 warns that _mm512_cvtps_pd's internal placeholder operand "may be used uninitialized" (it is not read).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
__attribute__((target("avx512f"))) BnSums bn_sums_avx512(const float* xr, const float* dr, int64_t positions,
                                                           double k) {
  __m512d kv = _mm512_set1_pd(k);
  __m512d sx = _mm512_setzero_pd(), sxx = _mm512_setzero_pd(), sdx = _mm512_setzero_pd(), sd = _mm512_setzero_pd();
  int64_t t = 0;
  for (; t + kBnLanes <= positions; t += kBnLanes) {
    __m512d centred = _mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(xr + t)), kv);
    __m512d delta = _mm512_cvtps_pd(_mm256_loadu_ps(dr + t));
    sx = _mm512_add_pd(sx, centred);
    sxx = _mm512_add_pd(sxx, _mm512_mul_pd(centred, centred));
    sdx = _mm512_add_pd(sdx, _mm512_mul_pd(delta, centred));
    sd = _mm512_add_pd(sd, delta);
  }
  if (t < positions) {
    // Masked loads (AVX-512F has them at 16 floats) read nothing past the end.
    auto m = __mmask8((1u << (positions - t)) - 1);
    __m512d centred = _mm512_sub_pd(_mm512_cvtps_pd(_mm512_castps512_ps256(_mm512_maskz_loadu_ps(m, xr + t))), kv);
    __m512d delta = _mm512_cvtps_pd(_mm512_castps512_ps256(_mm512_maskz_loadu_ps(m, dr + t)));
    sx = _mm512_mask_add_pd(sx, m, sx, centred);
    sxx = _mm512_mask_add_pd(sxx, m, sxx, _mm512_mul_pd(centred, centred));
    sdx = _mm512_mask_add_pd(sdx, m, sdx, _mm512_mul_pd(delta, centred));
    sd = _mm512_mask_add_pd(sd, m, sd, delta);
  }
  double lx[kBnLanes], lxx[kBnLanes], ldx[kBnLanes], ld[kBnLanes];
  _mm512_storeu_pd(lx, sx);
  _mm512_storeu_pd(lxx, sxx);
  _mm512_storeu_pd(ldx, sdx);
  _mm512_storeu_pd(ld, sd);
  return {bn_lane_total(lx), bn_lane_total(lxx), bn_lane_total(ldx), bn_lane_total(ld)};
}
#pragma GCC diagnostic pop


int main() {
  if (!__builtin_cpu_supports("avx512f")) { printf("no avx512\n"); return 0; }
  std::mt19937 rng(1); std::normal_distribution<float> nd(0.3f, 2.0f);
  int bad = 0, total = 0;
  for (int64_t positions : {1, 2, 7, 8, 9, 15, 16, 17, 49, 196, 784, 1000}) {
    for (int rep = 0; rep < 50; ++rep) {
      std::vector<float> x(positions), d(positions);
      for (auto& v : x) v = nd(rng); for (auto& v : d) v = nd(rng) * 1e-3f;
      double k = double(nd(rng));
      BnSums p = bn_sums_portable(x.data(), d.data(), positions, k), q = bn_sums_avx512(x.data(), d.data(), positions, k);
      ++total; if (std::memcmp(&p, &q, sizeof p) != 0) { ++bad; if (bad < 5) printf("diff at positions %ld: %.17g %.17g\n", positions, p.xx, q.xx); }
    }
  }
  printf("%d of %d differ\n", bad, total);
}
