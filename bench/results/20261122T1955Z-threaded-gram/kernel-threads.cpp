#include <torch/torch.h>
#include <chrono>
#include <cstdio>
#include <cstring>
namespace ab { void gram_kernel(const float* x, int64_t n, int64_t k, int64_t ld, double* out, int threads); }
namespace abold { void gram_kernel(const float* x, int64_t n, int64_t k, int64_t ld, double* out); }
int main(int argc, char** argv) {
  torch::set_num_threads(2);
  int64_t shapes[][2] = {{128, 785}, {128, 500}, {64, 785}, {128, 10}, {128, 75002}, {512, 75002}, {512, 785}, {512, 500}, {512, 10}, {129, 3001}, {32, 75002}, {128, 18496}, {512, 2304}};
  for (auto& s : shapes) {
    auto x = torch::randn({s[0], s[1]});
    double best[3] = {1e9, 1e9, 1e9};
    int reps = s[0] * s[0] * s[1] > 1e9 ? 4 : 30;
    torch::Tensor r[3];
    for (int m = 0; m < 3; ++m) r[m] = torch::empty({s[0], s[0]}, torch::kDouble);
    for (int rep = 0; rep < reps; ++rep) for (int m = 0; m < 3; ++m) {
      auto t0 = std::chrono::steady_clock::now();
      if (m == 0) abold::gram_kernel(x.data_ptr<float>(), s[0], s[1], s[1], r[m].data_ptr<double>());
      else ab::gram_kernel(x.data_ptr<float>(), s[0], s[1], s[1], r[m].data_ptr<double>(), m);
      best[m] = std::min(best[m], std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    bool same1 = std::memcmp(r[0].data_ptr<double>(), r[1].data_ptr<double>(), s[0]*s[0]*8) == 0;
    bool same2 = std::memcmp(r[0].data_ptr<double>(), r[2].data_ptr<double>(), s[0]*s[0]*8) == 0;
    double mac = double(s[0]) * s[0] * s[1] / 2;
    printf("n=%ld k=%ld old %.3f ms (%.1f) new-1t %.3f ms (%.1f) new-2t %.3f ms (%.1f GMAC/s)  2t/old %.3f same=%d%d\n", s[0], s[1], best[0]*1e3, mac/best[0]/1e9, best[1]*1e3, mac/best[1]/1e9, best[2]*1e3, mac/best[2]/1e9, best[2]/best[0], same1, same2);
  }
}
