// Probe exports that do not need a network.
#include <cstring>
#include <vector>

#include <torch/torch.h>

#include "AbApi.h"
#include "Errors.h"
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
