// Probe exports that do not need a network.
#include <cstring>
#include <vector>

#include <torch/torch.h>

#include "AbApi.h"
#include "Errors.h"
#include "GramKernel.h"
#include "Probe.h"

AB_EXPORT int32_t ab_analyse_gram(const double* gram, int64_t batch, const AbProbeOptions* options,
                                  AbProbeResult* result) {
  return ab::guarded([&] {
    ab::require(gram && options && result, "ab_analyse_gram: null argument");
    ab::require(batch >= 1, "ab_analyse_gram: batch must be >= 1");
    ab::validate_probe_options(*options, 0);
    auto g = torch::from_blob(const_cast<double*>(gram), {batch, batch}, torch::kDouble).clone();
    ab::analyse_gram(g, {}, {}, *options, result);
  });
}

AB_EXPORT int32_t ab_probe_conv_gram(const AbConvSpec* conv, const float* input, int64_t batch, int64_t height,
                                     int64_t width, const float* delta, int64_t delta_length,
                                     const AbProbeOptions* options) {
  return ab::guarded([&] {
    ab::require(conv && input && delta && options, "ab_probe_conv_gram: null argument");
    ab::validate_probe_options(*options, 0);
    ab::require(options->gram != nullptr, "ab_probe_conv_gram: options->gram (batch * batch doubles) is null");
    const AbConvSpec& c = *conv;
    ab::require(batch >= 1 && height >= 1 && width >= 1, "ab_probe_conv_gram: batch, height and width must be >= 1");
    ab::require(c.in_channels >= 1 && c.out_channels >= 1 && c.kernel_h >= 1 && c.kernel_w >= 1 && c.stride_h >= 1 &&
                    c.stride_w >= 1 && c.padding_h >= 0 && c.padding_w >= 0 && c.dilation_h >= 1 && c.dilation_w >= 1,
                "ab_probe_conv_gram: channels, kernel, stride and dilation must be >= 1 and padding >= 0");
    ab::ConvGeometry g{c.in_channels,
                       c.out_channels,
                       {c.kernel_h, c.kernel_w},
                       {c.stride_h, c.stride_w},
                       {c.padding_h, c.padding_w},
                       {c.dilation_h, c.dilation_w},
                       c.has_bias != 0};
    int64_t h_out = ab::conv_output_size(g, 0, height), w_out = ab::conv_output_size(g, 1, width);
    ab::require(h_out >= 1 && w_out >= 1, "ab_probe_conv_gram: the kernel does not fit the padded input");
    ab::require(delta_length == batch * c.out_channels * h_out * w_out,
                "ab_probe_conv_gram: delta holds " + std::to_string(delta_length) + " values, the output has " +
                    std::to_string(batch * c.out_channels * h_out * w_out));
    torch::NoGradGuard no_grad;
    auto x = torch::from_blob(const_cast<float*>(input), {batch, c.in_channels, height, width}, torch::kFloat);
    auto d = torch::from_blob(const_cast<float*>(delta), {batch, c.out_channels, h_out, w_out}, torch::kFloat);
    ab::GramConfig config = ab::gram_config(*options);
    config.threads = at::get_num_threads();
    auto gram = ab::conv_gram(g, x, d, config).contiguous();
    std::memcpy(options->gram, gram.data_ptr<double>(), sizeof(double) * size_t(batch * batch));
  });
}

AB_EXPORT int32_t ab_row_gram(const void* rows, int32_t element_bytes, int64_t n, int64_t k, int32_t kernel,
                              double* out) {
  return ab::guarded([&] {
    ab::require(rows && out, "ab_row_gram: null argument");
    ab::require(element_bytes == 4 || element_bytes == 8,
                "ab_row_gram: element_bytes must be 4 (float32) or 8 (float64), got " + std::to_string(element_bytes));
    ab::require(n >= 1 && k >= 1, "ab_row_gram: rows and columns must be >= 1, got " + std::to_string(n) + " x " +
                                      std::to_string(k));
    AbProbeOptions options{};
    options.memory_cap_bytes = int64_t(1) << 20;
    options.gram_kernel = kernel;
    ab::validate_probe_options(options, 0);
    torch::NoGradGuard no_grad;
    auto type = element_bytes == 4 ? torch::kFloat : torch::kDouble;
    auto x = torch::from_blob(const_cast<void*>(rows), {n, k}, type);
    auto gram = ab::row_gram(x, AbGramKernel(kernel), at::get_num_threads()).contiguous();
    std::memcpy(out, gram.data_ptr<double>(), sizeof(double) * size_t(n * n));
  });
}
