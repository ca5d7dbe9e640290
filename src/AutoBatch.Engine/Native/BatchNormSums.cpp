#include "BatchNormSums.h"

#include <immintrin.h>

#include <algorithm>

#include "Parallel.h"

namespace ab {

namespace {

constexpr int kBnLanes = 8;
// Rows go to the team in ranges of at least this many values (a 2^15-value pass takes ~10-20 us, about what handing it
// to a team costs).
constexpr int64_t kMinParallelEntries = int64_t(1) << 15;

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

}  // namespace

BnSums bn_sums(const float* xr, const float* dr, int64_t positions, double shift, bool avx512) {
  return avx512 ? bn_sums_avx512(xr, dr, positions, shift) : bn_sums_portable(xr, dr, positions, shift);
}

void batch_norm_sums(const float* x, const float* d, int64_t n, int64_t channels, int64_t positions,
                     const double* shift, bool avx512, int threads, double* sum_x, double* sum_xx, double* sum_dx,
                     double* sum_d, int64_t ld) {
  auto one_sample = [&](int64_t i) {
    for (int64_t c = 0; c < channels; ++c) {
      const float* xr = x + (i * channels + c) * positions;
      const float* dr = d + (i * channels + c) * positions;
      BnSums sums = bn_sums(xr, dr, positions, shift[c], avx512);
      sum_x[i * ld + c] = sums.x;
      sum_xx[i * ld + c] = sums.xx;
      sum_dx[i * ld + c] = sums.dx;
      sum_d[i * ld + c] = sums.d;
    }
  };
  int64_t per_sample = channels * positions;
  int64_t min_samples = kMinParallelEntries / std::max<int64_t>(per_sample, 1) + 1;
  parallel_ranges(n, threads, min_samples, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) one_sample(i);
  });
}

}  // namespace ab
