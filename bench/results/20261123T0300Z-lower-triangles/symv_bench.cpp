#include <immintrin.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <cmath>
#include <algorithm>
extern "C" void dsymv_(const char*, const int*, const double*, const double*, const int*, const double*, const int*,
                       const double*, double*, const int*, size_t);
// y = A x; A lower, column-major, lda. Blocks of 8 columns; rows below the block in vectors of 8 (masked tail).
void symv8(int n, const double* a, int lda, const double* x, double* y) {
  for (int i = 0; i < n; ++i) y[i] = 0;
  int j = 0;
  for (; j + 8 <= n; j += 8) {
    const double* c = a + (size_t)j * lda;
    // diagonal block 8x8, scalar
    for (int cc = 0; cc < 8; ++cc) {
      const double* col = c + (size_t)cc * lda;
      y[j + cc] += col[j + cc] * x[j + cc];
      for (int r = cc + 1; r < 8; ++r) { y[j + r] += col[j + r] * x[j + cc]; y[j + cc] += col[j + r] * x[j + r]; }
    }
    __m512d xb[8], s[8];
    for (int k = 0; k < 8; ++k) { xb[k] = _mm512_set1_pd(x[j + k]); s[k] = _mm512_setzero_pd(); }
    int i = j + 8;
    for (; i + 8 <= n; i += 8) {
      __m512d xi = _mm512_loadu_pd(x + i);
      __m512d y0 = _mm512_loadu_pd(y + i);
      __m512d y1 = _mm512_setzero_pd();
#pragma GCC unroll 8
      for (int k = 0; k < 8; k += 2) {
        __m512d a0 = _mm512_loadu_pd(c + (size_t)k * lda + i);
        __m512d a1 = _mm512_loadu_pd(c + (size_t)(k + 1) * lda + i);
        y0 = _mm512_fmadd_pd(a0, xb[k], y0); s[k] = _mm512_fmadd_pd(a0, xi, s[k]);
        y1 = _mm512_fmadd_pd(a1, xb[k + 1], y1); s[k + 1] = _mm512_fmadd_pd(a1, xi, s[k + 1]);
      }
      _mm512_storeu_pd(y + i, _mm512_add_pd(y0, y1));
    }
    if (i < n) {
      __mmask8 m = (__mmask8)((1u << (n - i)) - 1);
      __m512d xi = _mm512_maskz_loadu_pd(m, x + i);
      __m512d y0 = _mm512_maskz_loadu_pd(m, y + i);
      for (int k = 0; k < 8; ++k) {
        __m512d a0 = _mm512_maskz_loadu_pd(m, c + (size_t)k * lda + i);
        y0 = _mm512_fmadd_pd(a0, xb[k], y0); s[k] = _mm512_fmadd_pd(a0, xi, s[k]);
      }
      _mm512_mask_storeu_pd(y + i, m, y0);
    }
    for (int k = 0; k < 8; ++k) y[j + k] += _mm512_reduce_add_pd(s[k]);
  }
  for (; j < n; ++j) {
    const double* col = a + (size_t)j * lda;
    y[j] += col[j] * x[j];
    double t = 0;
    for (int i = j + 1; i < n; ++i) { y[i] += col[i] * x[j]; t += col[i] * x[i]; }
    y[j] += t;
  }
}
int main(int argc, char** argv) {
  int N = argc > 1 ? atoi(argv[1]) : 512;
  std::vector<double> a((size_t)N * N), x(N), y1(N), y2(N);
  srand(1);
  for (auto& v : a) v = rand() / (double)RAND_MAX - 0.5;
  for (auto& v : x) v = rand() / (double)RAND_MAX - 0.5;
  for (int n : {512, 384, 256, 128}) { if (n > N) continue;
    int off = N - n;
    const double* sub = a.data() + (size_t)off * N + off;
    double one = 1, zero = 0; int inc = 1;
    double best1 = 1e9, best2 = 1e9;
    for (int rep = 0; rep < 9; ++rep) {
      auto t0 = std::chrono::steady_clock::now();
      for (int k = 0; k < 50; ++k) dsymv_("L", &n, &one, sub, &N, x.data(), &inc, &zero, y1.data(), &inc, 1);
      auto t1 = std::chrono::steady_clock::now();
      for (int k = 0; k < 50; ++k) symv8(n, sub, N, x.data(), y2.data());
      auto t2 = std::chrono::steady_clock::now();
      best1 = std::min(best1, std::chrono::duration<double>(t1 - t0).count() / 50);
      best2 = std::min(best2, std::chrono::duration<double>(t2 - t1).count() / 50);
    }
    double err = 0, mx = 0;
    for (int i = 0; i < n; ++i) { err = std::max(err, std::fabs(y1[i] - y2[i])); mx = std::max(mx, std::fabs(y1[i])); }
    printf("n=%d openblas %.1f us  own %.1f us  ratio %.2f  maxdiff %.2e (max %.2e)  own %.1f elem/ns\n", n, best1 * 1e6, best2 * 1e6, best1 / best2, err, mx, n*(n+1)/2/best2*1e-9);
  }
}
