// BatchNorm's per-(sample, channel) sums over its positions t, around a per-channel shift k, the one pass over the
// float32 input and output gradient that BatchNorm's per-sample gradients need (docs/DESIGN.md):
//   x = sum (x_t - k),  xx = sum (x_t - k)^2,  dx = sum delta_t (x_t - k),  d = sum delta_t,
// every product and sum in float64, each sum in kBnLanes interleaved partial sums (position t in lane t % kBnLanes)
// added in a fixed order at the end. The AVX-512 and portable versions give the same bits: the same operations on the
// same lanes in the same order and no fused multiply-add (this file must be built with -ffp-contract=off, as both
// libraries are). The AVX-512 one does the eight lanes in one register, the tail with masked lanes, about twice as fast
// as four lanes of portable code (bench/results/HISTORY.md, section 2'''''').
#pragma once
#include <cstdint>

namespace ab {

struct BnSums {
  double x, xx, dx, d;
};

// One (sample, channel) row of `positions` values: xr, dr; avx512 requires gram_kernel_available().
BnSums bn_sums(const float* xr, const float* dr, int64_t positions, double shift, bool avx512);

// For a whole batch: x and d are n x channels x positions (contiguous float32), shift holds `channels` values; the
// sums of (sample i, channel c) go to sum_x[i * ld + c], ... (ld >= channels). Samples are shared between up to
// `threads` threads of an OpenMP team in ranges of at least 2^15 values (each row is summed by one thread, so the bits
// do not depend on the number of threads).
void batch_norm_sums(const float* x, const float* d, int64_t n, int64_t channels, int64_t positions,
                     const double* shift, bool avx512, int threads, double* sum_x, double* sum_xx, double* sum_dx,
                     double* sum_d, int64_t ld);

}  // namespace ab
