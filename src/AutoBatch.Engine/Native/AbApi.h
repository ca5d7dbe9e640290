// The C ABI of AutoBatch's native core. Coarse-grained on purpose: one handle per network (model + optimiser),
// whole training steps and evaluations per call, so hot loops stay native and control stays in C#.
// Every export returns an AbStatus; on failure the message is in ab_last_error() (thread-local), and no C++
// exception ever crosses this boundary. Mirrored one-to-one by NativeMethods.*.cs on the C# side.
#pragma once
#include <stdint.h>

#define AB_EXPORT extern "C" __attribute__((visibility("default")))

enum AbStatus : int32_t {
  AB_OK = 0,
  AB_INVALID_ARGUMENT = 1,
  AB_RUNTIME_ERROR = 2,
  AB_OUT_OF_MEMORY = 3,
};

enum AbModelKind : int32_t { AB_MODEL_MLP = 0, AB_MODEL_RESNET = 1, AB_MODEL_DENSENET = 2 };

// Model description. Arrays are owned by the caller and only read during ab_net_create.
struct AbModelSpec {
  int32_t kind;
  int32_t in_channels, in_height, in_width;
  int32_t classes;
  // MLP
  int32_t hidden_count;
  const int32_t* hidden;
  // ResNet (depth 6n+2): n units per stage, stage widths base, 2*base, 4*base.
  int32_t resnet_units;
  int32_t resnet_base_width;
  int32_t resnet_relu_after_add;
  // DenseNet
  int32_t dense_blocks;
  const int32_t* dense_layers;
  const int32_t* dense_growth;
  int32_t dense_init_channels;
  int32_t dense_bottleneck;
  double dense_compression;
  // Initialisation seed.
  int64_t seed;
};

struct AbOptimiserSpec {
  double momentum;
  double weight_decay;
  int32_t nesterov;
};

enum AbGramMode : int32_t { AB_GRAM_AUTO = 0, AB_GRAM_GHOST = 1, AB_GRAM_MATERIALISE = 2 };

// How a materialised conv layer gets its per-sample weight gradients: im2col (unfold) and a batched GEMM, the weight
// gradient of one grouped convolution with the samples as groups, or the engine's own AVX-512 kernel (direct; refused
// by name on a CPU without AVX-512F); auto is the one measured fastest (direct where it applies, else grouped).
enum AbConvKernel : int32_t { AB_CONV_AUTO = 0, AB_CONV_UNFOLD = 1, AB_CONV_GROUPED = 2, AB_CONV_DIRECT = 3 };

// How the probe multiplies per-sample rows into their float64 Gram: auto is the AVX-512 kernel (GramKernel.h) when the
// CPU has AVX-512F and BLAS dsyrk otherwise; avx512 on a CPU without it is refused by name. BatchNorm's per-sample
// sums follow the same choice (AVX-512 or portable code, the same bits either way).
enum AbGramKernel : int32_t { AB_GRAM_KERNEL_AUTO = 0, AB_GRAM_KERNEL_BLAS = 1, AB_GRAM_KERNEL_AVX512 = 2 };

// Probe request. Output arrays are optional (null = not wanted); their capacities are validated.
struct AbProbeOptions {
  int32_t gram_mode;
  int64_t memory_cap_bytes;   // cap for per-sample gradient chunks and ghost blocks
  double rank_tolerance;      // relative to sigma_max; <= 0 means the default B * eps_float32
  double* eigenvalues;        // capacity: batch, ascending, clamped at 0; null: the analysis finds lambda_max, the
                              // rank and lambda_min+ without computing the whole spectrum
  double* gram;               // capacity: batch * batch, row-major F~ (symmetrised)
  double* layer_traces;       // capacity: layer_trace_capacity, in ab_net_probe_layer order
  double* layer_sums;         // capacity: layer_trace_capacity; 1'F~_layer 1 = |sum_i g_i|^2 for that layer
  int64_t layer_trace_capacity;
  int32_t conv_kernel;        // AbConvKernel
  int32_t background;         // ab_net_train_step only: 1 = build and analyse F~ on the network's probe thread
                              // while the caller goes on; the result comes from ab_net_probe_collect
  int32_t gram_kernel;        // AbGramKernel
  int32_t* layer_paths;       // capacity: layer_trace_capacity; how each layer's Gram was formed (AbLayerPath)
  int32_t reference_rule;     // 1 = also apply the 'reference' rank rule (float32 eigenvalues of F~, negatives clamped,
                              // exact zeros dropped; docs/DESIGN.md) and fill the result's reference_* fields
};

// How the probe formed a layer's Gram (docs/DESIGN.md, 'The probe'): ghost products of inputs and output gradients;
// per-sample gradient rows built after the backward (the cost model's "materialise", and every BatchNorm layer); or
// rows the layer's own backward computed (fused conv path, also materialised).
enum AbLayerPath : int32_t { AB_LAYER_GHOST = 0, AB_LAYER_ROWS = 1, AB_LAYER_FUSED = 2 };

enum AbProbeStatus : int32_t { AB_PROBE_OK = 0, AB_PROBE_ZERO = 1, AB_PROBE_NONFINITE = 2, AB_PROBE_PENDING = 3 };

struct AbProbeResult {
  int32_t status;
  int32_t rank;
  double trace;            // Tr F~
  double lambda_max;
  double lambda_min_positive;  // smallest eigenvalue counted in the rank
  double condition;        // sqrt(lambda_max / lambda_min_positive), the paper's c_k
  double mean_gradient_sq_norm;  // |g_bar|^2 = 1'F~1 / B^2
  double variance_trace;   // tr Sigma = (Tr F~ - B |g_bar|^2) / (B - 1)
  double noise_scale;      // B_simple = tr Sigma / |g_bar|^2
  double gram_seconds;     // time spent building F~ after the backward (fused conv rows are built inside it)
  double eigen_seconds;    // time spent in the eigensolver
  int32_t fused_layers;    // conv layers whose per-sample gradients the backward computed (the fused path)
  double rows_seconds;     // time those layers' backward spent on their rows, weight gradient included (0 if none)
  int32_t reference_rank;  // with reference_rule: float32 eigenvalues of F~ above zero (after clamping negatives)
  double reference_lambda_max;           // with reference_rule: the largest float32 eigenvalue
  double reference_lambda_min_positive;  // with reference_rule: the smallest positive float32 eigenvalue
};

struct AbStepResult {
  double loss;             // mean cross-entropy of the batch (before the update)
  int64_t correct;         // correctly classified samples of the batch (before the update)
  int32_t finite;          // 0 when the loss or a gradient was non-finite; the update is then skipped
  double seconds;          // wall time of the whole step, probe included
};

AB_EXPORT const char* ab_last_error();
AB_EXPORT int32_t ab_version(int32_t* major, int32_t* minor);
AB_EXPORT int32_t ab_set_threads(int32_t intra_op_threads, int32_t blas_threads);
AB_EXPORT int32_t ab_get_threads(int32_t* intra_op_threads);

AB_EXPORT int32_t ab_net_create(const AbModelSpec* model, const AbOptimiserSpec* optimiser, void** out);
AB_EXPORT void ab_net_free(void* net);
AB_EXPORT int32_t ab_net_parameter_count(void* net, int64_t* count);

// One SGD step on x (batch x C x H x W, float32, normalised) and labels y (int64) with learning rate lr.
// With probe != null the same forward/backward also builds F~ and fills probe_result.
AB_EXPORT int32_t ab_net_train_step(void* net, const float* x, const int64_t* y, int64_t batch, double lr,
                                    const AbProbeOptions* probe, AbStepResult* result, AbProbeResult* probe_result);

// The result of the step's background probe (probe->background = 1; the step reported AB_PROBE_PENDING): waits for
// it and fills result and the output arrays of outputs (eigenvalues, layer_traces, layer_sums; gram is not kept).
// Eigenvalues can be collected only when the step asked for them (probe->eigenvalues non-null); a step that did not
// is analysed like a synchronous probe without eigenvalues (lambda_max, rank and lambda_min+ only).
// Background probes are collected in order: a step cannot launch one while an earlier one is uncollected.
AB_EXPORT int32_t ab_net_probe_collect(void* net, const AbProbeOptions* outputs, AbProbeResult* result);

// Sum of per-sample losses and number correct over n samples, in eval mode, in chunks of `chunk`.
AB_EXPORT int32_t ab_net_evaluate(void* net, const float* x, const int64_t* y, int64_t n, int64_t chunk,
                                  double* loss_sum, int64_t* correct);

// The probe on a batch without updating anything: train_mode selects BatchNorm batch statistics (1) or
// running statistics (0). Used by the `measure` verb and by tests.
AB_EXPORT int32_t ab_net_probe(void* net, const float* x, const int64_t* y, int64_t batch, int32_t train_mode,
                               const AbProbeOptions* probe, AbProbeResult* probe_result);
AB_EXPORT int32_t ab_net_probe_layer_count(void* net, int64_t* count);
AB_EXPORT int32_t ab_net_probe_layer_name(void* net, int64_t index, char* buffer, int64_t capacity);

// Per-sample gradients by brute force (one backward per sample), flattened over all parameters in state order:
// out has capacity batch * parameter_count. For tests and the benchmark's reference, never for training.
AB_EXPORT int32_t ab_net_per_sample_gradients(void* net, const float* x, const int64_t* y, int64_t batch,
                                              int32_t train_mode, float* out, int64_t capacity);
// Gradient of the mean batch loss (no update), flattened like above.
AB_EXPORT int32_t ab_net_batch_gradient(void* net, const float* x, const int64_t* y, int64_t batch,
                                        int32_t train_mode, float* out, int64_t capacity);

// Named state: which = 0 parameters and buffers (PyTorch state_dict order and names), 1 optimiser momentum.
enum AbStateSet : int32_t { AB_STATE_MODEL = 0, AB_STATE_OPTIMISER = 1 };
enum AbDType : int32_t { AB_DTYPE_FLOAT32 = 0, AB_DTYPE_INT64 = 1 };
AB_EXPORT int32_t ab_net_state_count(void* net, int32_t which, int64_t* count);
AB_EXPORT int32_t ab_net_state_info(void* net, int32_t which, int64_t index, char* name, int64_t name_capacity,
                                    int32_t* dtype, int64_t* shape, int32_t shape_capacity, int32_t* ndim,
                                    int64_t* numel);
AB_EXPORT int32_t ab_net_state_get(void* net, int32_t which, int64_t index, void* data, int64_t bytes);
AB_EXPORT int32_t ab_net_state_set(void* net, int32_t which, int64_t index, const void* data, int64_t bytes);

// Spectrum analysis of a given symmetric B x B matrix (row-major float64), exactly as the probe does it for F~:
// eigenvalues, rank, condition number and the extras. Lets tests and tools check the analysis on known spectra.
AB_EXPORT int32_t ab_analyse_gram(const double* gram, int64_t batch, const AbProbeOptions* options,
                                  AbProbeResult* result);

// One Conv2d layer's B x B contribution to F~ from its input (batch x in_channels x height x width, float32) and
// delta = B dL/d(output) (batch x out_channels x H' x W', float32, delta_length values), computed exactly as the
// probe computes it under options (gram_mode, memory_cap_bytes, conv_kernel); written to options->gram. Lets tests
// check each path and kernel on any geometry against an independent per-sample computation.
struct AbConvSpec {
  int32_t in_channels, out_channels;
  int32_t kernel_h, kernel_w, stride_h, stride_w, padding_h, padding_w, dilation_h, dilation_w;
  int32_t has_bias;
};
AB_EXPORT int32_t ab_probe_conv_gram(const AbConvSpec* conv, const float* input, int64_t batch, int64_t height,
                                     int64_t width, const float* delta, int64_t delta_length,
                                     const AbProbeOptions* options);

// out (n x n float64, row-major) = rows rows' for n rows of k values (float32 when element_bytes = 4, float64 when 8),
// by the probe's Gram product with the given AbGramKernel (auto, blas or avx512): every layer's F~ contribution ends
// in this product, so tests check each kernel here against an independent float64 computation. The AVX-512 kernel
// runs on libtorch's intra-op threads (ab_set_threads), as a synchronous probe's does; the result does not depend on them.
AB_EXPORT int32_t ab_row_gram(const void* rows, int32_t element_bytes, int64_t n, int64_t k, int32_t kernel,
                              double* out);
