#include "AveragePool.h"

#include "Parallel.h"

namespace ab {
namespace {

// Planes go to the team in ranges of at least this many input values.
constexpr int64_t kMinParallelEntries = int64_t(1) << 15;

int64_t min_planes(int64_t height, int64_t width) {
  return kMinParallelEntries / (height * width > 0 ? height * width : 1) + 1;
}

}  // namespace

void average_pool_2x2(const float* x, int64_t planes, int64_t height, int64_t width, float* y, int threads) {
  const int64_t ho = height / 2, wo = width / 2;
  parallel_ranges(planes, threads, min_planes(height, width), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const float* in = x + p * height * width;
      float* out = y + p * ho * wo;
      for (int64_t r = 0; r < ho; ++r) {
        const float* top = in + 2 * r * width;
        const float* bottom = top + width;
        for (int64_t c = 0; c < wo; ++c) {
          out[r * wo + c] = (((top[2 * c] + top[2 * c + 1]) + bottom[2 * c]) + bottom[2 * c + 1]) / 4.0f;
        }
      }
    }
  });
}

void average_pool_2x2_backward(const float* dy, int64_t planes, int64_t height, int64_t width, float* dx,
                               int threads) {
  const int64_t ho = height / 2, wo = width / 2;
  parallel_ranges(planes, threads, min_planes(height, width), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const float* g = dy + p * ho * wo;
      float* out = dx + p * height * width;
      for (int64_t r = 0; r < ho; ++r) {
        float* top = out + 2 * r * width;
        float* bottom = top + width;
        for (int64_t c = 0; c < wo; ++c) {
          float v = g[r * wo + c] / 4.0f;
          top[2 * c] = v;
          top[2 * c + 1] = v;
          bottom[2 * c] = v;
          bottom[2 * c + 1] = v;
        }
      }
    }
  });
}

}  // namespace ab
