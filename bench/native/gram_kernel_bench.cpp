// The probe's float64 Gram product rows rows' (n x k float32 rows) by the engine's AVX-512 kernel (GramKernel.cpp)
// against OpenBLAS dsyrk called as Probe.cpp's BLAS path calls it (float64 copies of ~1 MiB column blocks, beta = 1
// after the first), on the row shapes of the MLP's ghost Grams and ResNet-8's layers; best of 20 (3 for the largest)
// and the largest entry-wise difference to a float64 torch::mm, relative to the largest entry.
#include <torch/torch.h>
#include <dlfcn.h>
#include <chrono>
#include <cstdio>
#include "GramKernel.h"
using DsyrkFn = void (*)(const char*, const char*, const int*, const int*, const double*, const double*, const int*, const double*, double*, const int*, size_t, size_t);
DsyrkFn syrk;
torch::Tensor blas(const torch::Tensor& x) {
  int64_t n = x.size(0), k = x.size(1);
  auto out = torch::empty({n, n}, torch::kDouble);
  int ni = n, ldc = n; double one = 1, zero = 0;
  int64_t block = std::min(k, std::max<int64_t>(64, (1<<20) / (8 * n)));
  auto buffer = torch::empty({n, block}, torch::kDouble);
  int lda = block;
  for (int64_t k0 = 0; k0 < k; k0 += block) {
    int64_t count = std::min(block, k - k0);
    buffer.narrow(1, 0, count).copy_(x.narrow(1, k0, count));
    int ki = count;
    syrk("U", "T", &ni, &ki, &one, buffer.data_ptr<double>(), &lda, k0 == 0 ? &zero : &one, out.data_ptr<double>(), &ldc, 1, 1);
  }
  double* c = out.data_ptr<double>();
  for (int64_t i = 0; i < n; ++i) for (int64_t j = i + 1; j < n; ++j) c[i * n + j] = c[j * n + i];
  return out;
}
int main() {
  torch::set_num_threads(1);
  void* h = dlopen("libblas.so.3", RTLD_LAZY | RTLD_NOLOAD);
  syrk = (DsyrkFn)dlsym(h, "dsyrk_");
  int64_t shapes[][2] = {{128, 785}, {128, 500}, {128, 10}, {32, 75002}, {128, 75002}, {512, 75002}, {128, 2304},{128,18496}, {512, 785}, {13, 1000}, {129, 3001}};
  for (auto& s : shapes) {
    auto x = torch::randn({s[0], s[1]});
    double best[2] = {1e9, 1e9};
    int reps = s[0] * s[0] * s[1] > 1e9 ? 3 : 20;
    torch::Tensor r[2];
    for (int rep = 0; rep < reps; ++rep) for (int m = 0; m < 2; ++m) {
      auto t0 = std::chrono::steady_clock::now();
      if (m == 0) r[m] = blas(x); else { r[m] = torch::empty({s[0], s[0]}, torch::kDouble); ab::gram_kernel(x.data_ptr<float>(), s[0], s[1], s[1], r[m].data_ptr<double>()); }
      best[m] = std::min(best[m], std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    auto x64 = x.to(torch::kDouble); auto ref = x64.mm(x64.t());
    auto d0 = ((r[0] - ref).abs() / (ref.abs().max())).max().item<double>();
    auto d1 = ((r[1] - ref).abs() / (ref.abs().max())).max().item<double>();
    double mac = double(s[0]) * s[0] * s[1] / 2;
    printf("n=%ld k=%ld dsyrk %.3f ms (%.1f GMAC/s) kernel %.3f ms (%.1f GMAC/s) speedup %.2f  err %.1e %.1e\n", s[0], s[1], best[0]*1e3, mac/best[0]/1e9, best[1]*1e3, mac/best[1]/1e9, best[0]/best[1], d0, d1);
  }
}
