// The Gram product X X' of per-sample rows by BLAS dsyrk (LinearAlgebra.h): the portable path beside the AVX-512
// kernel of GramKernel.h, with the same per-entry arithmetic (float64 products and sums).
#pragma once
#include <cstdint>

namespace ab {

// The lower triangle, diagonal included, of out (n x n float64, row-major) = x x' for x: n rows of k >= 1 values, row
// i at x + i * ld (ld >= k); the upper triangle is left as it was. Float32 rows are converted a block of columns at a
// time into a small float64 buffer that dsyrk accumulates from (beta = 1 after the first block), without an n x k
// float64 copy of the rows. False, with out untouched, when dsyrk was not found or n, k or ld exceed LAPACK's int.
// OpenBLAS's threads are whatever the process set (LinearAlgebra.h).
bool blas_gram(const float* x, int64_t n, int64_t k, int64_t ld, double* out);
bool blas_gram(const double* x, int64_t n, int64_t k, int64_t ld, double* out);

}  // namespace ab
