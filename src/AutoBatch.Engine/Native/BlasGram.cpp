#include "BlasGram.h"

#include <algorithm>
#include <climits>

#include "AlignedVector.h"
#include "LinearAlgebra.h"

namespace ab {

namespace {

bool fits_int(int64_t n, int64_t k, int64_t ld) { return n <= INT_MAX && k <= INT_MAX && ld <= INT_MAX; }

}  // namespace

// Row-major x is the column-major k x n matrix x^T, so x x^T = (x^T)^T (x^T): trans = 'T'. The column-major upper
// triangle dsyrk fills is the row-major lower one.
bool blas_gram(const double* x, int64_t n, int64_t k, int64_t ld, double* out) {
  DsyrkFn dsyrk = blas_dsyrk();
  if (dsyrk == nullptr || !fits_int(n, k, ld)) return false;
  int ni = int(n), ki = int(k), lda = int(ld), ldc = int(n);
  double one = 1.0, zero = 0.0;
  dsyrk("U", "T", &ni, &ki, &one, x, &lda, &zero, out, &ldc, 1, 1);
  return true;
}

bool blas_gram(const float* x, int64_t n, int64_t k, int64_t ld, double* out) {
  DsyrkFn dsyrk = blas_dsyrk();
  if (dsyrk == nullptr || !fits_int(n, k, ld)) return false;
  int64_t block = std::min(k, std::max<int64_t>(64, (int64_t(1) << 20) / (8 * n)));  // ~1 MiB of float64
  AlignedVector<double> buffer(size_t(n * block));
  int ni = int(n), ldc = int(n), lda = int(block);
  double one = 1.0, zero = 0.0;
  for (int64_t k0 = 0; k0 < k; k0 += block) {
    int64_t count = std::min(block, k - k0);
    for (int64_t i = 0; i < n; ++i)
      std::copy(x + i * ld + k0, x + i * ld + k0 + count, buffer.data() + i * block);
    int ki = int(count);
    dsyrk("U", "T", &ni, &ki, &one, buffer.data(), &lda, k0 == 0 ? &zero : &one, out, &ldc, 1, 1);
  }
  return true;
}

}  // namespace ab
