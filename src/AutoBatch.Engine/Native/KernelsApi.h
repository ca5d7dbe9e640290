// The C ABI of libautobatch_kernels: the Fisher probe's hot kernels over raw buffers, for an engine whose tensors are
// TorchSharp's (pointers and lengths from its tensors; host memory only). No libtorch header, no libtorch library.
// Every export returns an AbkStatus; on failure the message is in abk_last_error() (thread-local, valid until the
// thread's next call), and no C++ exception ever crosses this boundary. Shapes, lengths, thread counts and pointers
// are checked here (ABK_INVALID_ARGUMENT); a buffer's extent is the caller's promise. Mirrored one-to-one by
// Kernels/KernelMethods.cs on the C# side.
#pragma once
#include <stdint.h>

#define ABK_EXPORT extern "C" __attribute__((visibility("default")))

enum AbkStatus : int32_t {
  ABK_OK = 0,
  ABK_INVALID_ARGUMENT = 1,
  ABK_RUNTIME_ERROR = 2,
  ABK_OUT_OF_MEMORY = 3,
  ABK_NOT_AVAILABLE = 4,  // the kernel needs what this machine lacks (AVX-512F, LAPACK), or declines the input
};

// Which code computes a Gram product or BatchNorm's sums; the numbers of AutoBatch.Engine.Probe.GramKernel.
enum AbkGramKernel : int32_t {
  ABK_GRAM_AUTO = 0,    // AVX-512 when the CPU has AVX-512F, else BLAS dsyrk (Gram) / portable code (sums)
  ABK_GRAM_BLAS = 1,    // BLAS dsyrk (Gram) / portable code (sums)
  ABK_GRAM_AVX512 = 2,  // refused (invalid argument) on a CPU without AVX-512F
};

// The geometry of a convolution (groups 1, dilation 1, zero padding) for abk_direct_conv_rows.
struct AbkConvShape {
  int64_t channels, height, width;              // C, H, W of the input
  int64_t out_channels, out_height, out_width;  // O, Ho, Wo of the output: Ho = (H + 2 pad_h - kh) / stride_h + 1
  int64_t kernel_height, kernel_width, stride_height, stride_width, pad_height, pad_width;
};

struct AbkSpectrumExtremes {
  double lambda_max;           // the largest eigenvalue, clamped at 0
  int32_t rank;                // eigenvalues with sqrt(lambda) > sqrt(lambda_max) * tolerance
  double lambda_min_positive;  // the smallest of them (0 when rank = 0)
};

// The message of the calling thread's last failure ("" after a success). Never null.
ABK_EXPORT const char* abk_last_error(void);

// *available = 1 when this CPU (and OS) runs the AVX-512 kernels, else 0.
ABK_EXPORT int32_t abk_avx512_available(int32_t* available);

// out (n x n float64, row-major) = rows rows', rows: n rows of k values, row i at rows + i * ld (ld >= k), float32 or
// float64; every product and sum in float64. lower_only != 0: only the lower triangle, diagonal included, is written,
// the upper one is left as it was; else both. kernel: AbkGramKernel; BLAS without a BLAS library found falls back to
// plain loops under auto, and is ABK_NOT_AVAILABLE when asked for by name. threads (>= 1): the AVX-512 kernel's and
// the plain loops' OpenMP team (the bits do not depend on it); the BLAS path runs OpenBLAS on one thread.
// n = 0 (nothing to do) or k = 0 (zeros) accept null rows.
ABK_EXPORT int32_t abk_row_gram_f32(const float* rows, int64_t n, int64_t k, int64_t ld, double* out, int32_t kernel,
                                    int32_t threads, int32_t lower_only);
ABK_EXPORT int32_t abk_row_gram_f64(const double* rows, int64_t n, int64_t k, int64_t ld, double* out, int32_t kernel,
                                    int32_t threads, int32_t lower_only);

// Copies the lower triangle of matrix (n x n, row-major) into the upper one, exactly.
ABK_EXPORT int32_t abk_mirror_lower(double* matrix, int64_t n);

// Per-sample weight gradients of a convolution (ConvRows.h): x: n x C x H x W, delta: n x O x Ho x Wo (contiguous
// float32); row i of out (n rows of ld >= O kh kw C floats) gets sample i's O kh kw C gradients in (o, ky, kx, c)
// order, float32 with fused multiply-adds; columns past O kh kw C are left as they were. Requires AVX-512F
// (ABK_NOT_AVAILABLE without). threads >= 1 (the bits do not depend on it).
ABK_EXPORT int32_t abk_direct_conv_rows(const AbkConvShape* shape, const float* x, const float* delta, int64_t n,
                                        float* out, int64_t ld, int32_t threads);

// BatchNorm's sums per (sample, channel) around shift[channel] (BatchNormSums.h): x, delta: n x channels x positions
// float32; each output n x channels float64: sum_x = sum (x - k), sum_xx = sum (x - k)^2, sum_dx = sum delta (x - k),
// sum_d = sum delta. kernel: AbkGramKernel (BLAS selects the portable code); both give the same bits.
ABK_EXPORT int32_t abk_batch_norm_sums(const float* x, const float* delta, int64_t n, int64_t channels,
                                       int64_t positions, const double* shift, int32_t kernel, int32_t threads,
                                       double* sum_x, double* sum_xx, double* sum_dx, double* sum_d);

// The shape of a BatchNorm2d input for the training kernels: n x channels x positions float32, contiguous (NCHW with
// positions = H W); n, channels, positions >= 1 and n positions >= 2.
struct AbkBatchNormShape {
  int64_t n, channels, positions;
};
// BatchNorm2d's training-mode forward (BatchNormTraining.h): y = (x - mean) invstd weight + bias with the batch's
// mean and biased variance per channel (float64 sums), save_mean and save_invstd (channels floats each) for the
// backward; running_mean and running_var (both or neither) move by momentum towards the batch's mean and unbiased
// variance. kernel: AbkGramKernel (BLAS selects the portable code); both give the same bits, as any thread count does.
ABK_EXPORT int32_t abk_batch_norm_train_forward(const AbkBatchNormShape* shape, const float* x, const float* weight,
                                                const float* bias, double eps, double momentum, float* running_mean,
                                                float* running_var, float* y, float* save_mean, float* save_invstd,
                                                int32_t kernel, int32_t threads);
// Its backward: dweight and dbias (channels floats each), and dx (like x) unless dx is null.
ABK_EXPORT int32_t abk_batch_norm_train_backward(const AbkBatchNormShape* shape, const float* x, const float* dy,
                                                 const float* save_mean, const float* save_invstd,
                                                 const float* weight, float* dx, float* dweight, float* dbias,
                                                 int32_t kernel, int32_t threads);
// The 2 x 2 average pooling at stride 2 (AveragePool.h): x: planes x height x width float32, contiguous, height and
// width even and >= 2; y: planes x height/2 x width/2. The bits of LibTorch's avg_pool2d. threads >= 1.
ABK_EXPORT int32_t abk_average_pool_2x2(const float* x, int64_t planes, int64_t height, int64_t width, float* y,
                                        int32_t threads);
// Its backward: dx (like x) from dy (like y).
ABK_EXPORT int32_t abk_average_pool_2x2_backward(const float* dy, int64_t planes, int64_t height, int64_t width,
                                                 float* dx, int32_t threads);
struct AbkGramSummary {
  int32_t finite;  // 1 when every entry is finite
  double max_abs;  // the largest |entry|
  double sum;      // the sum of all entries
  double trace;
};

// F~'s pass before its spectrum (GramSummary.h): with symmetric non-null, writes (gram + gram') / 2 there (n x n, not
// overlapping gram; exactly symmetric) and summarises that; with symmetric null, summarises gram as it is (the caller
// knows it to be symmetric). threads >= 1: the symmetrisation's team (the bits do not depend on it).
ABK_EXPORT int32_t abk_gram_summary(const double* gram, int64_t n, double* symmetric, int32_t threads,
                                    AbkGramSummary* out);

// The extremes of the spectrum of a finite symmetric n x n float64 matrix (Spectrum.h), not all zero: max_abs > 0 is
// its largest |entry|; only its upper triangle (row-major) is read, nothing is written. An eigenvalue counts in the
// rank when sqrt(lambda) > sqrt(lambda_max) * rank_tolerance, 0 <= rank_tolerance < 1 (a Sturm count decides, so an
// eigenvalue within rounding of the limit may go either way). ABK_NOT_AVAILABLE when
// LAPACK's dsytrd cannot be found (liblapack.so.3) or declines (n > 46340, subnormal entries only): compute the whole
// spectrum instead.
ABK_EXPORT int32_t abk_spectrum_extremes(const double* gram, int64_t n, double max_abs, double rank_tolerance,
                                         AbkSpectrumExtremes* out);

// One trained parameter for abk_sgd_step and abk_gradients_finite: values, gradient and momentum buffer, `length`
// float32 each on the host, not overlapping one another.
struct AbkSgdTensor {
  float* parameter;
  const float* gradient;
  float* momentum;  // read and written only when momentum != 0
  int64_t length;
};

struct AbkSgdSettings {
  double learning_rate;  // > 0, finite
  double momentum;       // 0 <= momentum < 1
  double weight_decay;   // >= 0, finite
  int32_t nesterov;      // 1: Nesterov momentum (needs momentum > 0)
  int32_t kernel;        // AbkGramKernel: auto = AVX-512 where the CPU has it; blas selects the portable code
};

// One SGD step over every tensor (SgdStep.h): g' = g + wd p, b = mu b + g', d = g' + mu b (Nesterov) or b,
// p = p - lr d, in float32 with the multiply-adds that PyTorch's vectorised loops fuse; the gradients are not
// written. The settings are rounded to float32 first, as tensor operations on float32 do. The AVX-512 and the portable
// code give the same bits. threads >= 1 (the bits do not depend on it).
ABK_EXPORT int32_t abk_sgd_step(const AbkSgdTensor* tensors, int32_t count, const AbkSgdSettings* settings,
                                int32_t threads);

// *finite = 1 when every element of every tensor's gradient is finite, else 0 (parameters and buffers are not read).
// kernel: AbkGramKernel, as in AbkSgdSettings.
ABK_EXPORT int32_t abk_gradients_finite(const AbkSgdTensor* tensors, int32_t count, int32_t kernel, int32_t threads,
                                        int32_t* finite);
