#include <torch/torch.h>
#include <chrono>
#include <cstdio>
namespace abB { extern int pf_mode; void gram_kernel(const float* x, int64_t n, int64_t k, int64_t ld, double* out, int threads); }
namespace abC { void gram_kernel(const float* x, int64_t n, int64_t k, int64_t ld, double* out, int threads); }
int main(int argc, char** argv) {
  int threads = atoi(argv[1]); int64_t n = atol(argv[2]), k = atol(argv[3]); int reps = atoi(argv[4]);
  torch::set_num_threads(threads);
  auto x = torch::randn({n, k});
  auto a = torch::empty({n, n}, torch::kDouble), b = torch::empty({n, n}, torch::kDouble);
  abB::pf_mode = 0;
  std::vector<double> ta, tb;
  for (int r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now(); abB::gram_kernel(x.data_ptr<float>(), n, k, k, a.data_ptr<double>(), threads);
    ta.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() * 1e3);
    t0 = std::chrono::steady_clock::now(); abC::gram_kernel(x.data_ptr<float>(), n, k, k, b.data_ptr<double>(), threads);
    tb.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() * 1e3);
  }
  std::sort(ta.begin(), ta.end()); std::sort(tb.begin(), tb.end());
  double diff = ((a - b).abs().max() / a.abs().max()).item<double>();
  printf("threads %d n %ld k %ld: rows split median %.1f min %.1f | halves median %.1f min %.1f | max rel diff %.1e\n", threads, n, k, ta[reps/2], ta[0], tb[reps/2], tb[0], diff);
}
