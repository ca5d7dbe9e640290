#include "Spectrum.h"

#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace ab {

namespace {

// LAPACK from the library libtorch already loaded (liblapack.so.3 on Debian).
using DsytrdFn = void (*)(const char* uplo, const int* n, double* a, const int* lda, double* d, double* e,
                          double* tau, double* work, const int* lwork, int* info, size_t uplo_length);
using DstebzFn = void (*)(const char* range, const char* order, const int* n, const double* vl, const double* vu,
                          const int* il, const int* iu, const double* abstol, const double* d, const double* e, int* m,
                          int* nsplit, double* w, int* iblock, int* isplit, double* work, int* iwork, int* info,
                          size_t range_length, size_t order_length);

template <typename Fn>
Fn find_lapack(const char* name) {
  if (void* handle = dlopen("liblapack.so.3", RTLD_LAZY | RTLD_NOLOAD)) {
    if (void* symbol = dlsym(handle, name)) return reinterpret_cast<Fn>(symbol);
  }
  return reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, name));
}

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

}  // namespace

bool spectrum_extremes(const torch::Tensor& gram, double max_abs, const std::function<double(double)>& threshold,
                       SpectrumExtremes* out) {
  static const auto dsytrd = find_lapack<DsytrdFn>("dsytrd_");
  static const auto dstebz = find_lapack<DstebzFn>("dstebz_");
  int64_t n64 = gram.size(0);
  if (dsytrd == nullptr || dstebz == nullptr || n64 > 46340) return false;  // n * n must fit LAPACK's int
  int n = int(n64), info = 0;
  // Work arrays from libtorch's allocator (64-byte aligned): BLAS kernels can round differently at other alignments,
  // and the probe thread's malloc arena would give other addresses than the training thread's.
  auto doubles = [](int64_t count) { return torch::empty({std::max<int64_t>(1, count)}, torch::kDouble); };
  // Scaled by a power of two (exact) so that the largest entry is in [0.5, 1]: no square overflows.
  if (!(max_abs > 0) || !std::isfinite(max_abs)) return false;
  auto a = gram.contiguous().clone();
  double unscale = std::ldexp(1.0, std::ilogb(max_abs) + 1), rescale = 1.0 / unscale;
  if (!std::isfinite(rescale)) return false;  // subnormal entries only: leave them to the full spectrum
  a.mul_(rescale);
  auto d_t = doubles(n), e_t = doubles(n - 1);
  double *d = d_t.data_ptr<double>(), *e = e_t.data_ptr<double>();
  auto tau = doubles(n - 1);
  int lwork = -1;
  double query = 0;
  dsytrd("L", &n, a.data_ptr<double>(), &n, d, e, tau.data_ptr<double>(), &query, &lwork, &info, 1);
  if (info != 0) return false;
  lwork = std::max(1, int(query));
  auto work = doubles(lwork);
  dsytrd("L", &n, a.data_ptr<double>(), &n, d, e, tau.data_ptr<double>(), work.data_ptr<double>(), &lwork, &info, 1);
  if (info != 0) return false;

  // Bisection as accurate as it goes (LAPACK: ABSTOL = 2 * underflow threshold).
  const double abstol = 2 * std::numeric_limits<double>::min();
  auto w = doubles(n), bwork = doubles(4 * n64);
  size_t length = static_cast<size_t>(n);
  std::vector<int> iblock(length), isplit(length), iwork(3 * length);
  auto eigenvalue = [&](int index, double* value) {  // index: 1-based, ascending; unscaled
    int m = 0, nsplit = 0;
    double unused = 0;
    dstebz("I", "E", &n, &unused, &unused, &index, &index, &abstol, d, e, &m, &nsplit, w.data_ptr<double>(),
           iblock.data(), isplit.data(), bwork.data_ptr<double>(), iwork.data(), &info, 1, 1);
    if (info != 0 || m != 1) return false;
    *value = w.data_ptr<double>()[0] * unscale;
    return true;
  };
  double top = 0;
  if (!eigenvalue(n, &top)) return false;
  *out = SpectrumExtremes{};
  out->lambda_max = std::max(top, 0.0);
  if (out->lambda_max == 0) return true;
  std::vector<double> e2(size_t(std::max(1, n - 1)));
  double max_e2 = 1;
  for (int64_t i = 0; i + 1 < n64; ++i) {
    e2[size_t(i)] = e[i] * e[i];
    max_e2 = std::max(max_e2, e2[size_t(i)]);
  }
  double pivmin = std::numeric_limits<double>::min() * max_e2;
  // The count runs on the scaled T; the threshold is at least 0, so no counted eigenvalue is one clamping changes.
  double limit = std::max(0.0, threshold(out->lambda_max)) * rescale;
  out->rank = int32_t(n64 - count_below(d, e2.data(), n64, limit, pivmin));
  if (out->rank > 0) {
    double low = 0;
    if (!eigenvalue(n - out->rank + 1, &low)) return false;
    out->lambda_min_positive = std::max(low, 0.0);
  }
  return true;
}

}  // namespace ab
