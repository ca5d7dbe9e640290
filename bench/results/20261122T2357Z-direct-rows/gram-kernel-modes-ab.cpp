#include <torch/torch.h>
#include <chrono>
#include <cstdio>
#include <cstring>
namespace abB { extern int pf_mode; extern int pf_dist; void gram_kernel(const float* x, int64_t n, int64_t k, int64_t ld, double* out, int threads); }
int main(int argc, char** argv) {
  int threads = atoi(argv[1]);
  int64_t n = atol(argv[2]), k = atol(argv[3]);
  int reps = atoi(argv[4]);
  torch::set_num_threads(threads);
  auto x = torch::randn({n, k});
  auto ref = torch::empty({n, n}, torch::kDouble);
  abB::pf_mode = 0; abB::gram_kernel(x.data_ptr<float>(), n, k, k, ref.data_ptr<double>(), threads);
  int modes[][2] = {{0,1},{20,1},{21,1},{22,1},{10,1}};
  int nm = sizeof(modes)/sizeof(modes[0]);
  std::vector<std::vector<double>> times(nm);
  for (int rep = 0; rep < reps; ++rep) for (int m = 0; m < nm; ++m) {
    abB::pf_mode = modes[m][0]; abB::pf_dist = modes[m][1];
    auto out = torch::empty({n, n}, torch::kDouble);
    auto t0 = std::chrono::steady_clock::now();
    abB::gram_kernel(x.data_ptr<float>(), n, k, k, out.data_ptr<double>(), threads);
    times[m].push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() * 1e3);
    if (abB::pf_mode < 10 && memcmp(out.data_ptr<double>(), ref.data_ptr<double>(), n*n*8)) { printf("BITS DIFFER mode %d\n", m); return 1; }
  }
  for (int m = 0; m < nm; ++m) { auto v = times[m]; std::sort(v.begin(), v.end()); printf("mode %d dist %d: median %.1f ms min %.1f\n", modes[m][0], modes[m][1], v[v.size()/2], v[0]); }
}
