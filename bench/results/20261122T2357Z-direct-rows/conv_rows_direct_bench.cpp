// Session 8: the direct AVX-512 per-sample conv rows (src/AutoBatch.Engine/Native/ConvRows.cpp) against libtorch's
// grouped-convolution weight gradient (the engine's previous kernel), on ResNet-8's six conv shapes and two odd ones at
// B = 512: the largest difference (after permuting the direct rows to PyTorch's weight order) relative to the largest
// value, and median times of 7 calls, alternating, each into a fresh output tensor as in the probe ("direct"); also
// the direct kernel alone into an output already touched ("kernel only"). Build (from the repository root):
//   N=src/AutoBatch.Engine/Native; g++ -O2 -fopenmp -std=c++17 -I$N -I/usr/include/torch/csrc/api/include \
//     bench/results/20261122T2357Z-direct-rows/conv_rows_direct_bench.cpp $N/ConvRows.cpp $N/Parallel.cpp \
//     -o conv_rows_direct_bench -ltorch -ltorch_cpu -lc10
// Run: OPENBLAS_NUM_THREADS=1 ./conv_rows_direct_bench THREADS 512 [huge]   (huge: rows in MADV_HUGEPAGE memory)
#include <torch/torch.h>
#include <chrono>
#include <cstdio>
#include "ConvRows.h"
#include <sys/mman.h>
bool use_huge = false;
torch::Tensor alloc_rows(int64_t r, int64_t c) {
  if (!use_huge) return torch::empty({r, c});
  size_t bytes = size_t(r * c) * 4, huge = 2 << 20;
  size_t mapped = (bytes + 2 * huge - 1) / huge * huge;
  char* p = (char*)mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char* a = (char*)(((uintptr_t)p + huge - 1) / huge * huge);
  madvise(a, mapped - (a - p), MADV_HUGEPAGE);
  return torch::from_blob(a, {r, c}, [p, mapped](void*) { munmap(p, mapped); }, torch::kFloat);
}
using Clock = std::chrono::steady_clock;
double ms(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count() * 1e3; }
torch::Tensor grouped(const torch::Tensor& x, const torch::Tensor& d, int64_t cin, int64_t cout, int64_t stride) {
  int64_t B = x.size(0);
  auto w = torch::empty({B * cout, cin, 3, 3});
  auto g = at::convolution_backward(d.reshape({1, B * cout, d.size(2), d.size(3)}), x.reshape({1, B * cin, x.size(2), x.size(3)}), w, c10::nullopt, {stride, stride}, {1, 1}, {1, 1}, false, {0, 0}, B, {false, true, false});
  return std::get<1>(g).reshape({B, -1});
}
torch::Tensor direct(const torch::Tensor& x, const torch::Tensor& d, int64_t cin, int64_t cout, int64_t stride, int threads, double* prep_ms) {
  int64_t B = x.size(0);
  *prep_ms = 0;
  auto out = alloc_rows(B, cout * 9 * cin);
  ab::DirectConvShape s{cin, x.size(2), x.size(3), cout, d.size(2), d.size(3), 3, 3, stride, stride, 1, 1};
  ab::direct_conv_rows(s, x.data_ptr<float>(), d.data_ptr<float>(), B, out.data_ptr<float>(), out.size(1), threads);
  return out;
}
int main(int argc, char** argv) {
  int threads = atoi(argv[1]); int64_t B = atol(argv[2]); use_huge = argc > 3;
  torch::set_num_threads(threads);
  int64_t shapes[][4] = {{1, 16, 28, 1}, {16, 16, 28, 1}, {16, 32, 14, 2}, {32, 32, 14, 1}, {32, 64, 7, 2}, {64, 64, 7, 1}, {3, 5, 6, 1}, {7, 13, 5, 2}};
  double tg = 0, td = 0;
  for (auto& sh : shapes) {
    int64_t cin = sh[0], cout = sh[1], hw = sh[2], stride = sh[3];
    int64_t hin = hw * stride;
    auto x = torch::randn({B, cin, hin, hin});
    auto d = torch::randn({B, cout, hw, hw});
    auto ref = grouped(x, d, cin, cout, stride);
    double prep;
    auto got = direct(x, d, cin, cout, stride, threads, &prep);
    auto got_t = got.reshape({B, cout, 3, 3, cin}).permute({0, 1, 4, 2, 3}).reshape({B, -1});
    double err = ((got_t - ref).abs().max() / ref.abs().max()).item<double>();
    std::vector<double> a, b, p;
    for (int r = 0; r < 7; ++r) {
      auto t0 = Clock::now(); auto g1 = grouped(x, d, cin, cout, stride); a.push_back(ms(t0));
      t0 = Clock::now(); auto g2 = direct(x, d, cin, cout, stride, threads, &prep); b.push_back(ms(t0)); p.push_back(prep);
    }
    std::sort(a.begin(), a.end()); std::sort(b.begin(), b.end()); std::sort(p.begin(), p.end());
    tg += a[3]; td += b[3];
    {
      auto xp = x; auto dt = d;
      auto out = torch::zeros({B, cout * 9 * cin});
      ab::DirectConvShape s{cin, x.size(2), x.size(3), cout, d.size(2), d.size(3), 3, 3, stride, stride, 1, 1};
      std::vector<double> k;
      for (int r = 0; r < 7; ++r) { auto t0 = Clock::now(); ab::direct_conv_rows(s, xp.data_ptr<float>(), dt.data_ptr<float>(), B, out.data_ptr<float>(), out.size(1), threads); k.push_back(ms(t0)); }
      std::sort(k.begin(), k.end());
      double macs = double(B) * cout * 9 * cin * hw * hw;
      printf("   kernel only (touched output) %.1f ms = %.1f GMAC/s\n", k[3], macs / k[3] / 1e6);
    }
    printf("%ld->%ld %ldx%ld s%ld: err %.1e grouped %.1f ms direct %.1f ms (prep %.1f)\n", cin, cout, hw, hw, stride, err, a[3], b[3], p[3]);
  }
  printf("total grouped %.1f direct %.1f\n", tg, td);
}
