// The exports of libautobatch_kernels for the TorchSharp engine's layers (KernelsApi.h): BatchNorm2d in training mode
// and the residual shortcut's average pooling, each checked, then run through guarded() (KernelsApiSupport.h).
#include <cmath>
#include <string>

#include "AveragePool.h"
#include "BatchNormTraining.h"
#include "KernelsApi.h"
#include "KernelsApiSupport.h"

using namespace abk;  // NOLINT: the shared support of every export (KernelsApiSupport.h)

namespace {

// Checks a BatchNorm training shape (n, channels, positions >= 1 and M = n positions >= 2) and returns it.
ab::BatchNormShape batch_norm_shape(const char* what, const AbkBatchNormShape* shape) {
  require(shape != nullptr, std::string(what) + ": the shape is null");
  const AbkBatchNormShape& s = *shape;
  require(s.n >= 1 && s.channels >= 1 && s.positions >= 1,
          std::string(what) + ": n, channels and positions must be >= 1, got " + to_string(s.n) + ", " +
              to_string(s.channels) + ", " + to_string(s.positions));
  int64_t count = product(what, s.n, s.positions);
  product(what, count, s.channels);
  require(count >= 2, std::string(what) + ": training statistics need at least 2 values per channel, got 1");
  return {s.n, s.channels, s.positions};
}

}  // namespace

ABK_EXPORT int32_t abk_batch_norm_train_forward(const AbkBatchNormShape* shape, const float* x, const float* weight,
                                                const float* bias, double eps, double momentum, float* running_mean,
                                                float* running_var, float* y, float* save_mean, float* save_invstd,
                                                int32_t kernel, int32_t threads) {
  return guarded([&] {
    constexpr const char* what = "abk_batch_norm_train_forward";
    ab::BatchNormShape s = batch_norm_shape(what, shape);
    require_threads(what, threads);
    bool avx512 = use_avx512(what, kernel);
    require(std::isfinite(eps) && eps >= 0, "abk_batch_norm_train_forward: eps must be finite and >= 0, got " + to_string(eps));
    require(momentum >= 0 && momentum <= 1,
            "abk_batch_norm_train_forward: momentum must be in [0, 1], got " + to_string(momentum));
    require(x && weight && bias && y && save_mean && save_invstd,
            "abk_batch_norm_train_forward: x, weight, bias, y, save_mean or save_invstd is null");
    require((running_mean == nullptr) == (running_var == nullptr),
            "abk_batch_norm_train_forward: give both running statistics or neither");
    ab::batch_norm_train_forward(s, x, weight, bias, eps, momentum, running_mean, running_var, y, save_mean,
                                 save_invstd, avx512, threads);
  });
}

ABK_EXPORT int32_t abk_batch_norm_train_backward(const AbkBatchNormShape* shape, const float* x, const float* dy,
                                                 const float* save_mean, const float* save_invstd,
                                                 const float* weight, float* dx, float* dweight, float* dbias,
                                                 int32_t kernel, int32_t threads) {
  return guarded([&] {
    constexpr const char* what = "abk_batch_norm_train_backward";
    ab::BatchNormShape s = batch_norm_shape(what, shape);
    require_threads(what, threads);
    bool avx512 = use_avx512(what, kernel);
    require(x && dy && save_mean && save_invstd && weight && dweight && dbias,
            "abk_batch_norm_train_backward: x, dy, save_mean, save_invstd, weight, dweight or dbias is null");
    ab::batch_norm_train_backward(s, x, dy, save_mean, save_invstd, weight, dx, dweight, dbias, avx512, threads);
  });
}

namespace {

void check_pool_shape(const char* what, int64_t planes, int64_t height, int64_t width) {
  require(planes >= 1 && height >= 2 && width >= 2 && height % 2 == 0 && width % 2 == 0,
          std::string(what) + ": planes must be >= 1 and height and width even and >= 2, got " + to_string(planes) +
              ", " + to_string(height) + ", " + to_string(width));
  product(what, product(what, planes, height), width);
}

}  // namespace

ABK_EXPORT int32_t abk_average_pool_2x2(const float* x, int64_t planes, int64_t height, int64_t width, float* y,
                                        int32_t threads) {
  return guarded([&] {
    constexpr const char* what = "abk_average_pool_2x2";
    check_pool_shape(what, planes, height, width);
    require_threads(what, threads);
    require(x != nullptr && y != nullptr, "abk_average_pool_2x2: x or y is null");
    ab::average_pool_2x2(x, planes, height, width, y, threads);
  });
}

ABK_EXPORT int32_t abk_average_pool_2x2_backward(const float* dy, int64_t planes, int64_t height, int64_t width,
                                                 float* dx, int32_t threads) {
  return guarded([&] {
    constexpr const char* what = "abk_average_pool_2x2_backward";
    check_pool_shape(what, planes, height, width);
    require_threads(what, threads);
    require(dy != nullptr && dx != nullptr, "abk_average_pool_2x2_backward: dy or dx is null");
    ab::average_pool_2x2_backward(dy, planes, height, width, dx, threads);
  });
}

