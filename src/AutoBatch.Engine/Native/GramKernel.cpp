#include "GramKernel.h"

#include "Parallel.h"

#include <immintrin.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <vector>

namespace ab {

namespace {

// Rows are packed in groups of 8 (one zmm of float64), column-interleaved: within a column block of kc columns,
// group g holds panel[g * kc * 8 + t * 8 + r] = x[8g + r][k0 + t] (0 for rows past n). A tile multiplies M groups
// (8M rows i, one zmm each per column) by one group (8 rows j, broadcast one value at a time): 8M x 8 products per
// column in 8M accumulators of 8 lanes, no horizontal sums. With M = 3, 24 accumulators, 3 loads and 8 broadcasts
// feed 24 FMAs per column.
constexpr int64_t kGroupRows = 8;
constexpr int kMaxTileGroups = 3;
// Chosen with bench/native/gram_kernel_bench on the 2-vCPU AVX-512 VM (bench/results/HISTORY.md, section 2'''): blocks of
// 128 columns keep one group's panel (8 KiB) in L1 beside the streaming tiles, where 256 did not help; prefetching
// each row 64 floats (4 cache lines) ahead hides most of the wait for rows read from memory.
constexpr int64_t kMaxColumnBlock = 128;
constexpr int64_t kPrefetchColumns = 64;
// n * n * k from which a product is shared between threads: below it a team's hand-over costs more than it saves
// (measured: bench/results/20261122T1955Z-threaded-gram/kernel-threads.txt).
constexpr double kThreadedProduct = double(1 << 22);

struct FreeDeleter {
  void operator()(double* p) const { std::free(p); }
};
using Buffer = std::unique_ptr<double[], FreeDeleter>;

Buffer aligned_doubles(int64_t count) {
  size_t bytes = (size_t(count) * sizeof(double) + 63) / 64 * 64;
  auto* p = static_cast<double*>(std::aligned_alloc(64, std::max<size_t>(bytes, 64)));
  if (p == nullptr) throw std::bad_alloc();
  return Buffer(p);
}

// Scalar packing: float64 rows, and the edges (rows past n, columns past a multiple of 8) of float32 ones.
template <typename T>
void pack_scalar(const T* x, int64_t n, int64_t ld, int64_t k0, int64_t t0, int64_t kk, int64_t group, double* p) {
  for (int64_t r = 0; r < kGroupRows; ++r) {
    int64_t row = group * kGroupRows + r;
    if (row >= n) {
      for (int64_t t = t0; t < kk; ++t) p[t * kGroupRows + r] = 0.0;
      continue;
    }
    const T* src = x + row * ld + k0;
    for (int64_t t = t0; t < kk; ++t) p[t * kGroupRows + r] = double(src[t]);
  }
}

void pack(const double* x, int64_t n, int64_t ld, int64_t k0, int64_t kk, int64_t kc, int64_t groups, double* panel) {
  for (int64_t g = 0; g < groups; ++g) pack_scalar(x, n, ld, k0, 0, kk, g, panel + g * kc * kGroupRows);
}

// GCC 12 warns that _mm512_cvtps_pd's internal placeholder operand "may be used uninitialized" (it is not read).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// Float32 rows, 8 x 8 blocks at a time: load 8 columns of 8 rows, transpose in registers, widen each column to float64.
__attribute__((target("avx512f"))) void pack(const float* x, int64_t n, int64_t ld, int64_t k0, int64_t kk,
                                             int64_t kc, int64_t groups, double* panel) {
  int64_t full_columns = kk / 8 * 8;
  for (int64_t g = 0; g < groups; ++g) {
    double* p = panel + g * kc * kGroupRows;
    if ((g + 1) * kGroupRows > n) {
      pack_scalar(x, n, ld, k0, 0, kk, g, p);
      continue;
    }
    const float* src = x + g * kGroupRows * ld + k0;
    for (int64_t t = 0; t < full_columns; t += 8) {
      __m256 r[8];
      for (int i = 0; i < 8; ++i) {
        r[i] = _mm256_loadu_ps(src + i * ld + t);
        _mm_prefetch(reinterpret_cast<const char*>(src + i * ld + t + kPrefetchColumns), _MM_HINT_T0);
      }
      __m256 u[8], v[8];
      for (int i = 0; i < 8; i += 2) {
        u[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);      // rows i, i+1: columns 0 0 1 1 | 4 4 5 5
        u[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);  // columns 2 2 3 3 | 6 6 7 7
      }
      for (int i = 0; i < 8; i += 4) {
        v[i] = _mm256_shuffle_ps(u[i], u[i + 2], _MM_SHUFFLE(1, 0, 1, 0));      // rows i..i+3: column 0 | 4
        v[i + 1] = _mm256_shuffle_ps(u[i], u[i + 2], _MM_SHUFFLE(3, 2, 3, 2));  // column 1 | 5
        v[i + 2] = _mm256_shuffle_ps(u[i + 1], u[i + 3], _MM_SHUFFLE(1, 0, 1, 0));  // column 2 | 6
        v[i + 3] = _mm256_shuffle_ps(u[i + 1], u[i + 3], _MM_SHUFFLE(3, 2, 3, 2));  // column 3 | 7
      }
      for (int c = 0; c < 4; ++c) {
        __m256 low = _mm256_permute2f128_ps(v[c], v[c + 4], 0x20);   // column c, rows 0..7
        __m256 high = _mm256_permute2f128_ps(v[c], v[c + 4], 0x31);  // column c + 4
        _mm512_store_pd(p + (t + c) * kGroupRows, _mm512_cvtps_pd(low));
        _mm512_store_pd(p + (t + c + 4) * kGroupRows, _mm512_cvtps_pd(high));
      }
    }
    pack_scalar(x, n, ld, k0, full_columns, kk, g, p);
  }
}
#pragma GCC diagnostic pop

// c[s * ldc + 8m + r] += sum_t a[m * kc * 8 + t * 8 + r] * b[t * 8 + s]: the products of M groups of rows (a) with one
// group (b) over kk columns, added to an 8M-wide, 8-row block of c (stored over it for the first column block).
// diagonal: the last group of a is b's own, and of that 8 x 8 block only the lower triangle (r <= s) is stored, so that
// the upper triangle of the output is never written.
template <int M, bool First>
__attribute__((target("avx512f"))) void tile(const double* a, const double* b, int64_t kk, int64_t kc, double* c,
                                             int64_t ldc, bool diagonal) {
  __m512d acc[M][kGroupRows];
#pragma GCC unroll 8
  for (int s = 0; s < kGroupRows; ++s)
#pragma GCC unroll 3
    for (int m = 0; m < M; ++m) acc[m][s] = _mm512_setzero_pd();
  for (int64_t t = 0; t < kk; ++t) {
    __m512d av[M];
#pragma GCC unroll 3
    for (int m = 0; m < M; ++m) av[m] = _mm512_load_pd(a + m * kc * kGroupRows + t * kGroupRows);
    const double* bt = b + t * kGroupRows;
#pragma GCC unroll 8
    for (int s = 0; s < kGroupRows; ++s) {
      __m512d bv = _mm512_set1_pd(bt[s]);
#pragma GCC unroll 3
      for (int m = 0; m < M; ++m) acc[m][s] = _mm512_fmadd_pd(av[m], bv, acc[m][s]);
    }
  }
#pragma GCC unroll 8
  for (int s = 0; s < kGroupRows; ++s)
#pragma GCC unroll 3
    for (int m = 0; m < M; ++m) {
      double* out = c + s * ldc + m * kGroupRows;
      __m512d sum = First ? acc[m][s] : _mm512_add_pd(_mm512_loadu_pd(out), acc[m][s]);
      if (diagonal && m == M - 1) {
        _mm512_mask_storeu_pd(out, __mmask8((2u << s) - 1u), sum);  // lanes r <= s
      } else {
        _mm512_storeu_pd(out, sum);
      }
    }
}

// GCC 12 warns that the unpack and shuffle intrinsics' internal placeholder operands are used uninitialized (they are
// not read), as for _mm512_cvtps_pd above.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// dst[c * ld + r] = src[r * ld + c] for r, c < 8: an 8 x 8 block of a row-major matrix, transposed in registers.
__attribute__((target("avx512f"))) inline void transpose_block(const double* src, double* dst, int64_t ld) {
  __m512d z[8], u[8], v[8];
  for (int i = 0; i < 8; ++i) z[i] = _mm512_loadu_pd(src + i * ld);
  for (int i = 0; i < 8; i += 2) {
    u[i] = _mm512_unpacklo_pd(z[i], z[i + 1]);      // rows i, i+1: columns 0, 2, 4, 6
    u[i + 1] = _mm512_unpackhi_pd(z[i], z[i + 1]);  // columns 1, 3, 5, 7
  }
  for (int i = 0; i < 8; i += 4) {
    v[i] = _mm512_shuffle_f64x2(u[i], u[i + 2], 0x88);          // rows i..i+3: columns 0 | 4
    v[i + 1] = _mm512_shuffle_f64x2(u[i + 1], u[i + 3], 0x88);  // columns 1 | 5
    v[i + 2] = _mm512_shuffle_f64x2(u[i], u[i + 2], 0xDD);      // columns 2 | 6
    v[i + 3] = _mm512_shuffle_f64x2(u[i + 1], u[i + 3], 0xDD);  // columns 3 | 7
  }
  for (int c = 0; c < 4; ++c) {
    _mm512_storeu_pd(dst + c * ld, _mm512_shuffle_f64x2(v[c], v[c + 4], 0x88));        // column c, rows 0..7
    _mm512_storeu_pd(dst + (c + 4) * ld, _mm512_shuffle_f64x2(v[c], v[c + 4], 0xDD));  // column c + 4
  }
}
#pragma GCC diagnostic pop

// Copies the lower triangle of out (n x n, row-major) into the upper one. Whole 8 x 8 blocks go through registers,
// so every store is a full cache line: an entry-by-entry copy writes down columns, and at n = 512 (rows 4 KiB apart,
// all in one L1 set) it took ~0.8 ms per product, more than the tiles of the MLP's 512 x 10 product.
__attribute__((target("avx512f"))) void mirror_lower(double* out, int64_t n) {
  int64_t full = n / kGroupRows * kGroupRows;
  for (int64_t i0 = 0; i0 < full; i0 += kGroupRows) {
    for (int64_t j0 = 0; j0 < i0; j0 += kGroupRows) transpose_block(out + i0 * n + j0, out + j0 * n + i0, n);
    for (int64_t i = i0; i < i0 + kGroupRows; ++i)
      for (int64_t j = i0; j < i; ++j) out[j * n + i] = out[i * n + j];
  }
  for (int64_t i = full; i < n; ++i)
    for (int64_t j = 0; j < i; ++j) out[j * n + i] = out[i * n + j];
}

// Tile rows [row_begin, row_end) of the lower triangle (groups of 8 rows), over all k columns: x_j . x_i at
// lower[j * padded + i] for i-group <= j-group. Packs the groups these rows read, 0 .. row_end - 1, into its own panel
// (row_end * kc * 8 doubles, allocated by the caller before any team starts: an allocation failure must not throw
// inside the OpenMP region), so that threads given disjoint row ranges share nothing but the (read-only) rows and
// write disjoint rows of lower.
template <typename T>
void gram_rows(const T* x, int64_t n, int64_t k, int64_t ld, int64_t kc, int64_t padded, int64_t row_begin,
               int64_t row_end, double* lower, Buffer& panel) {
  for (int64_t k0 = 0; k0 < k; k0 += kc) {
    int64_t kk = std::min(kc, k - k0);
    bool first = k0 == 0;
    pack(x, n, ld, k0, kk, kc, row_end, panel.get());
    for (int64_t jg = row_begin; jg < row_end; ++jg) {
      const double* b = panel.get() + jg * kc * kGroupRows;
      double* row = lower + jg * kGroupRows * padded;
      for (int64_t ig = 0; ig <= jg; ig += kMaxTileGroups) {
        const double* a = panel.get() + ig * kc * kGroupRows;
        double* c = row + ig * kGroupRows;
        int64_t groups = std::min<int64_t>(kMaxTileGroups, jg + 1 - ig);
        bool diagonal = ig + groups - 1 == jg;
        switch (groups + (first ? 0 : kMaxTileGroups)) {
          case 3: tile<3, true>(a, b, kk, kc, c, padded, diagonal); break;
          case 2: tile<2, true>(a, b, kk, kc, c, padded, diagonal); break;
          case 1: tile<1, true>(a, b, kk, kc, c, padded, diagonal); break;
          case 6: tile<3, false>(a, b, kk, kc, c, padded, diagonal); break;
          case 5: tile<2, false>(a, b, kk, kc, c, padded, diagonal); break;
          default: tile<1, false>(a, b, kk, kc, c, padded, diagonal); break;
        }
      }
    }
  }
}

template <typename T>
void gram(const T* x, int64_t n, int64_t k, int64_t ld, double* out, int threads, bool mirror) {
  if (n <= 0) return;
  int64_t groups = (n + kGroupRows - 1) / kGroupRows;
  int64_t padded = groups * kGroupRows;
  // Column block: the packed block (padded x kc float64) stays in L2 (<= 512 KiB) and one group's panel, reused by
  // every tile of its row of tiles, in L1 (<= 8 KiB).
  int64_t kc = std::clamp<int64_t>((int64_t(1) << 16) / padded, 16, kMaxColumnBlock);
  kc = std::min(kc, std::max<int64_t>(k, 1));
  if (k <= 0) {
    std::fill(out, out + n * n, 0.0);  // both triangles: cheaper than telling them apart, and never a hot path
    return;
  }
  // The tiles write into out directly when n is a multiple of 8 (padded = n), into a padded buffer otherwise.
  Buffer buffer;
  double* lower = out;
  if (padded != n) {
    buffer = aligned_doubles(padded * padded);
    lower = buffer.get();
  }
  // Threads take row ranges of about equal work (row j-group g holds g + 1 blocks of 8 x 8); small products stay on
  // one thread, where starting a team would cost more than it saves.
  bool large = double(n) * double(n) * double(k) >= kThreadedProduct;
  int64_t team = large ? std::clamp<int64_t>(threads, 1, std::max<int64_t>(groups / 2, 1)) : 1;
  if (team <= 1) {
    Buffer panel = aligned_doubles(groups * kc * kGroupRows);
    gram_rows(x, n, k, ld, kc, padded, 0, groups, lower, panel);
  } else {
    std::vector<int64_t> bounds(team + 1, groups);
    bounds[0] = 0;
    double total = double(groups) * double(groups + 1) / 2;
    for (int64_t t = 1, g = 0; t < team; ++t) {
      while (g < groups && double(g) * double(g + 1) / 2 < total * double(t) / double(team)) ++g;
      bounds[t] = g;
    }
    std::vector<Buffer> panels(static_cast<size_t>(team));
    for (int64_t t = 0; t < team; ++t) panels[size_t(t)] = aligned_doubles(bounds[t + 1] * kc * kGroupRows);
    parallel_parts(int(team), [&](int t) {
      if (bounds[t] < bounds[t + 1])
        gram_rows(x, n, k, ld, kc, padded, bounds[t], bounds[t + 1], lower, panels[size_t(t)]);
    });
  }
  if (lower != out) {
    for (int64_t i = 0; i < n; ++i) std::copy(lower + i * padded, lower + i * padded + i + 1, out + i * n);
  }
  if (mirror) mirror_lower(out, n);
}

}  // namespace

bool gram_kernel_available() {
  static const bool available = __builtin_cpu_supports("avx512f");
  return available;
}

void gram_kernel(const float* x, int64_t n, int64_t k, int64_t ld, double* out, int threads, bool mirror) {
  gram(x, n, k, ld, out, threads, mirror);
}
void gram_kernel(const double* x, int64_t n, int64_t k, int64_t ld, double* out, int threads, bool mirror) {
  gram(x, n, k, ld, out, threads, mirror);
}

void mirror_lower_triangle(double* a, int64_t n) {
  if (gram_kernel_available()) {
    mirror_lower(a, n);
    return;
  }
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < i; ++j) a[j * n + i] = a[i * n + j];
}

}  // namespace ab
