#include "Spectrum.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "AlignedVector.h"
#include "LinearAlgebra.h"

namespace ab {

namespace {

// Eigenvalues of T (diagonal d, squared off-diagonal e2) below x: the number of negative pivots of T - x I
// (Sturm count), with LAPACK's guard against a zero pivot.
int64_t count_below(const double* d, const double* e2, int64_t n, double x, double pivmin) {
  int64_t count = 0;
  double q = 1;
  for (int64_t i = 0; i < n; ++i) {
    q = d[i] - x - (i == 0 ? 0.0 : e2[i - 1] / q);
    if (std::fabs(q) < pivmin) q = -pivmin;
    if (q < 0) ++count;
  }
  return count;
}

// Sturm counts at kShifts points at once. With AVX-512F the shifts' recurrences run in the lanes of one register: they
// are independent, so eight cost about what one does (a division's latency per step). Each lane does count_below's
// operations in its order, so the counts are the same as kShifts calls of it, which is the fallback.
constexpr int kShifts = 8;

__attribute__((target("avx512f"))) void count_below_avx512(const double* d, const double* e2, int64_t n,
                                                             const double* x, double pivmin, int64_t* counts) {
  const __m512d shift = _mm512_loadu_pd(x), limit = _mm512_set1_pd(pivmin), guard = _mm512_set1_pd(-pivmin);
  const __m512i one = _mm512_set1_epi64(1);
  __m512i below = _mm512_setzero_si512();
  __m512d q = _mm512_sub_pd(_mm512_set1_pd(d[0]), shift);
  for (int64_t i = 0;; ++i) {
    q = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(_mm512_abs_pd(q), limit, _CMP_LT_OQ), q, guard);
    below = _mm512_mask_add_epi64(below, _mm512_cmp_pd_mask(q, _mm512_setzero_pd(), _CMP_LT_OQ), below, one);
    if (i + 1 == n) break;
    q = _mm512_sub_pd(_mm512_sub_pd(_mm512_set1_pd(d[i + 1]), shift), _mm512_div_pd(_mm512_set1_pd(e2[i]), q));
  }
  _mm512_storeu_si512(counts, below);
}

void count_below_shifts(const double* d, const double* e2, int64_t n, const double* x, double pivmin,
                        int64_t* counts) {
  static const bool avx512 = __builtin_cpu_supports("avx512f");
  if (avx512) {
    count_below_avx512(d, e2, n, x, pivmin, counts);
  } else {
    for (int m = 0; m < kShifts; ++m) counts[m] = count_below(d, e2, n, x[m], pivmin);
  }
}

// Eigenvalue `index` (1-based, ascending) of T, inside [low, high] where count_below(low) < index <= count_below(high):
// multisection, kShifts Sturm counts per pass cutting the bracket into kShifts + 1 parts (3.2 bits a pass instead of
// bisection's 1), until its width is below LAPACK's bisection tolerance (dstebz with ABSTOL = 2 x underflow:
// max(pivmin, 2 ulp x max(|low|, |high|))), or the points stop being distinct. The bracket's midpoint.
double eigenvalue_in(const double* d, const double* e2, int64_t n, int64_t index, double low, double high,
                     double pivmin) {
  constexpr double kRelativeTolerance = 2 * std::numeric_limits<double>::epsilon();
  while (high - low > std::max(pivmin, kRelativeTolerance * std::max(std::fabs(low), std::fabs(high)))) {
    double x[kShifts];
    int64_t counts[kShifts];
    double step = (high - low) / (kShifts + 1);
    for (int m = 0; m < kShifts; ++m) x[m] = low + step * (m + 1);
    count_below_shifts(d, e2, n, x, pivmin, counts);
    double next_low = low, next_high = high;
    for (int m = 0; m < kShifts; ++m) {
      if (!(x[m] > next_low && x[m] < high)) continue;  // rounding: a point outside the bracket tells nothing
      if (counts[m] >= index) {
        next_high = x[m];
        break;
      }
      next_low = x[m];
    }
    if (next_low == low && next_high == high) break;  // no point strictly inside: as narrow as float64 goes
    low = next_low;
    high = next_high;
  }
  return low + (high - low) / 2;
}

}  // namespace

bool spectrum_extremes(const double* gram, int64_t n64, double max_abs, const std::function<double(double)>& threshold,
                       SpectrumExtremes* out) {
  static const DsytrdFn dsytrd = lapack_dsytrd();
  if (dsytrd == nullptr || n64 < 1 || n64 > 46340) return false;  // n * n must fit LAPACK's int
  int n = int(n64), info = 0;
  // Work arrays 64-byte aligned (AlignedVector.h): BLAS kernels can round differently at other alignments, and the
  // probe thread's malloc arena would give other addresses than the training thread's.
  auto doubles = [](int64_t count) { return AlignedVector<double>(size_t(std::max<int64_t>(1, count))); };
  // Scaled by a power of two (exact) so that the largest entry is in [0.5, 1]: no square overflows.
  if (!(max_abs > 0) || !std::isfinite(max_abs)) return false;
  double unscale = std::ldexp(1.0, std::ilogb(max_abs) + 1), rescale = 1.0 / unscale;
  if (!std::isfinite(rescale)) return false;  // subnormal entries only: leave them to the full spectrum
  auto a = doubles(n64 * n64);  // a scaled copy, which dsytrd overwrites
  for (int64_t i = 0; i < n64 * n64; ++i) a[size_t(i)] = gram[i] * rescale;
  auto d_v = doubles(n), e_v = doubles(n - 1);
  double *d = d_v.data(), *e = e_v.data();
  auto tau = doubles(n - 1);
  int lwork = -1;
  double query = 0;
  dsytrd("L", &n, a.data(), &n, d, e, tau.data(), &query, &lwork, &info, 1);
  if (info != 0) return false;
  lwork = std::max(1, int(query));
  auto work = doubles(lwork);
  dsytrd("L", &n, a.data(), &n, d, e, tau.data(), work.data(), &lwork, &info, 1);
  if (info != 0) return false;

  // Squared off-diagonal, LAPACK's pivot guard, and the Gershgorin bracket of the spectrum widened as dstebz widens it.
  std::vector<double> e2(size_t(std::max(1, n - 1)));
  double max_e2 = 1;
  for (int64_t i = 0; i + 1 < n64; ++i) {
    e2[size_t(i)] = e[i] * e[i];
    max_e2 = std::max(max_e2, e2[size_t(i)]);
  }
  double pivmin = std::numeric_limits<double>::min() * max_e2;
  double low = d[0], high = d[0], previous = 0;
  for (int64_t i = 0; i < n64; ++i) {
    double next = i + 1 < n64 ? std::fabs(e[i]) : 0.0;
    low = std::min(low, d[i] - previous - next);
    high = std::max(high, d[i] + previous + next);
    previous = next;
  }
  constexpr double kFudge = 2.1, kUlp = std::numeric_limits<double>::epsilon();
  double norm = std::max(std::fabs(low), std::fabs(high));
  low -= kFudge * norm * kUlp * double(n64) + kFudge * 2 * pivmin;
  high += kFudge * norm * kUlp * double(n64) + kFudge * pivmin;

  *out = SpectrumExtremes{};
  double top = eigenvalue_in(d, e2.data(), n64, n64, low, high, pivmin);
  out->lambda_max = std::max(top * unscale, 0.0);
  if (out->lambda_max == 0) return true;
  // The count runs on the scaled T; the threshold is at least 0, so no counted eigenvalue is one clamping changes.
  double limit = std::max(0.0, threshold(out->lambda_max)) * rescale;
  int64_t below = count_below(d, e2.data(), n64, limit, pivmin);
  out->rank = int32_t(n64 - below);
  if (out->rank > 0) {
    // Eigenvalue below + 1 is at or above the limit: count_below(limit) = below < below + 1 <= count_below(high).
    double smallest = eigenvalue_in(d, e2.data(), n64, below + 1, limit, high, pivmin);
    out->lambda_min_positive = std::max(smallest * unscale, 0.0);
  }
  return true;
}

}  // namespace ab
