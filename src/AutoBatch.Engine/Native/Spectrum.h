// The extremes of F~'s spectrum without the whole spectrum. A training step's probe needs only lambda_max, the
// numerical rank and the smallest eigenvalue counted in it; all B eigenvalues (torch::linalg_eigvalsh) are computed
// only when the caller asks for them.
#pragma once
#include <cstdint>
#include <functional>

namespace ab {

struct SpectrumExtremes {
  double lambda_max = 0;           // clamped at 0
  int32_t rank = 0;                // eigenvalues >= threshold(lambda_max)
  double lambda_min_positive = 0;  // the smallest of them (0 when rank = 0)
};

// For a finite symmetric float64 matrix (n x n) that is not all zero: reduces it to a tridiagonal T by LAPACK's
// Householder reduction (dsytrd, the first step of eigvalsh too), then finds the rank by one Sturm count and
// lambda_max and the rank-th largest eigenvalue by multisection on Sturm counts (eight at once, to LAPACK's bisection
// tolerance), O(n) per count, instead of all n eigenvalues by QR iteration. Measured against torch::linalg_eigvalsh
// on this VM: 0.7-0.8x the time at n = 128, 0.7x at 256-512 (docs/BENCHMARKS.md). Deterministic: the same matrix gives
// the same bits on any thread. False when LAPACK's dsytrd cannot be found (LinearAlgebra.h) or fails, when n > 46340
// (n * n must fit LAPACK's int), or when max_abs is not a positive finite number or only subnormal (the caller then
// computes the whole spectrum).
// gram: n x n, row-major; only its upper triangle is read (LAPACK's lower one, column-major), and it is not written.
// max_abs: the largest |entry| of gram, which the caller has already found. threshold(lambda_max): the smallest
// eigenvalue the rank counts.
bool spectrum_extremes(const double* gram, int64_t n, double max_abs, const std::function<double(double)>& threshold,
                       SpectrumExtremes* out);

}  // namespace ab
