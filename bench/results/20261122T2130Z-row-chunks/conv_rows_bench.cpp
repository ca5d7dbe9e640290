// Kept as the record of what produced conv-rows-*.md: built at commit ac051b9 (whose bench/native/build.sh linked it with
// Probe.cpp, Spectrum.cpp, GramKernel.cpp and Parallel.cpp); the engine change it measured was reverted (README.md).
// Per-sample weight-gradient rows of ResNet-8's conv layers (MNIST, 28 x 28) at a batch B, as the fused conv path
// builds them, on a given number of libtorch threads:
//   batch wgrad   the batch weight gradient a plain step computes instead (at::convolution_backward, groups = 1)
//   one call      the grouped kernel on all B samples at once, into a new block (the path before row chunks)
//   chunks of c   the grouped kernel on c samples at a time, copied into a B x p block kept between calls
//   engine kept   ab::conv_sample_rows with the block kept between calls (the fused path now)
//   engine new    ab::conv_sample_rows with a new block on every call (page-faulted in each time)
// Best of 5 each, in ms; "same bits": every variant's rows equal the one-call rows bit for bit.
// Usage: conv_rows_bench [threads=1] [batch=512]   (OPENBLAS_NUM_THREADS=1, as the engine runs BLAS)
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "Probe.h"

namespace {
double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
template <class Fn>
double best_ms(Fn f, int reps = 5) {
  double best = 1e9;
  for (int r = 0; r < reps; ++r) {
    double t = now();
    f();
    best = std::min(best, now() - t);
  }
  return best * 1e3;
}
}  // namespace

int main(int argc, char** argv) {
  int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  int64_t batch = argc > 2 ? std::atoll(argv[2]) : 512;
  torch::set_num_threads(threads);
  torch::manual_seed(1);
  struct Layer { int64_t in, out, size, stride; } layers[] = {
      {1, 16, 28, 1}, {16, 16, 28, 1}, {16, 32, 28, 2}, {32, 32, 14, 1}, {32, 64, 14, 2}, {64, 64, 7, 1}};
  const int64_t chunks[] = {16, 32, 64, 128};
  const int64_t cap = int64_t(1) << 30;
  std::printf("threads %d, B = %ld; ms, best of 5\n", threads, long(batch));
  std::printf("| layer | p | batch wgrad | one call | chunks of 16 | 32 | 64 | 128 | engine kept | engine new | same bits |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
  double total[10] = {};
  for (const auto& l : layers) {
    int64_t out_size = l.size / l.stride, p = l.out * l.in * 9;
    auto x = torch::randn({batch, l.in, l.size, l.size});
    auto d = torch::randn({batch, l.out, out_size, out_size});
    auto weight = torch::randn({l.out, l.in, 3, 3});
    ab::ConvGeometry g{l.in, l.out, {3, 3}, {l.stride, l.stride}, {1, 1}, {1, 1}, false};
    auto grouped = [&](int64_t start, int64_t count) {
      auto w = torch::empty({count * l.out, l.in, 3, 3});
      auto grads = at::convolution_backward(
          d.narrow(0, start, count).reshape({1, count * l.out, out_size, out_size}),
          x.narrow(0, start, count).reshape({1, count * l.in, l.size, l.size}), w, c10::nullopt, {l.stride, l.stride},
          {1, 1}, {1, 1}, false, {0, 0}, count, {false, true, false});
      return std::get<1>(grads).reshape({count, -1});
    };
    double t[10];
    t[0] = best_ms([&] {
      at::convolution_backward(d, x, weight, c10::nullopt, {l.stride, l.stride}, {1, 1}, {1, 1}, false, {0, 0}, 1,
                               {false, true, false});
    });
    torch::Tensor reference;
    t[1] = best_ms([&] { reference = grouped(0, batch); });
    bool same = true;
    auto kept = torch::empty({batch, p});
    for (int c = 0; c < 4; ++c) {
      int64_t chunk = chunks[c];
      t[2 + c] = best_ms([&] {
        for (int64_t s = 0; s < batch; s += chunk) {
          int64_t count = std::min(chunk, batch - s);
          kept.narrow(0, s, count).copy_(grouped(s, count));
        }
      });
      same = same && torch::equal(kept, reference);
    }
    torch::Tensor store, rows;
    t[6] = best_ms([&] {
      rows = torch::Tensor();  // as the probe releases them before the next probed step
      rows = ab::conv_sample_rows(g, x, d, cap, &store);
    });
    same = same && torch::equal(rows, reference);
    t[7] = best_ms([&] {
      torch::Tensor fresh;
      rows = ab::conv_sample_rows(g, x, d, cap, &fresh);
    });
    same = same && torch::equal(rows, reference);
    std::printf("| %ld→%ld, %ld x %ld, stride %ld | %ld |", long(l.in), long(l.out), long(l.size), long(l.size),
                long(l.stride), long(p));
    for (int i = 0; i < 8; ++i) std::printf(" %.1f |", t[i]);
    std::printf(" %s |\n", same ? "yes" : "NO");
    for (int i = 0; i < 8; ++i) total[i] += t[i];
  }
  std::printf("| all six shapes | |");
  for (int i = 0; i < 8; ++i) std::printf(" %.1f |", total[i]);
  std::printf(" |\n");
  return 0;
}
