// What every export of libautobatch_kernels shares (KernelsApi.cpp, KernelsApiLayers.cpp): guarded(), which turns any
// C++ exception into a status and the thread's last error message, and the checks of sizes, threads and kernels.
#pragma once
#include <cstdint>
#include <new>
#include <stdexcept>
#include <string>

#include "GramKernel.h"
#include "KernelsApi.h"
#include "Require.h"

namespace abk {

// The calling thread's last failure message (abk_last_error).
inline thread_local std::string g_last_error;

// A kernel this machine cannot run, or an input the method declines: the caller's other path takes over.
struct NotAvailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

template <typename F>
int32_t guarded(F&& body) noexcept {
  try {
    g_last_error.clear();
    body();
    return ABK_OK;
  } catch (const ab::ArgumentError& e) {
    g_last_error = e.what();
    return ABK_INVALID_ARGUMENT;
  } catch (const NotAvailable& e) {
    g_last_error = e.what();
    return ABK_NOT_AVAILABLE;
  } catch (const std::bad_alloc&) {
    g_last_error = "out of memory in the native kernels";
    return ABK_OUT_OF_MEMORY;
  } catch (const std::exception& e) {
    g_last_error = e.what();
    return ABK_RUNTIME_ERROR;
  } catch (...) {
    g_last_error = "unknown error in the native kernels";
    return ABK_RUNTIME_ERROR;
  }
}

using ab::require;
using std::to_string;

// The largest element count a buffer may have: its byte size must fit int64 with room to spare.
constexpr int64_t kMaxElements = int64_t(1) << 58;

// a * b, refused when it exceeds kMaxElements (a, b >= 0).
inline int64_t product(const char* what, int64_t a, int64_t b) {
  require(b == 0 || a <= kMaxElements / b, std::string(what) + ": " + to_string(a) + " x " + to_string(b) +
                                               " elements are more than any buffer holds");
  return a * b;
}

inline void require_threads(const char* what, int32_t threads) {
  require(threads >= 1 && threads <= 1024,
          std::string(what) + ": threads must be 1..1024, got " + to_string(threads));
}

// True for the AVX-512 code: auto on a CPU that has it, or asked for by name (refused on one that has not).
inline bool use_avx512(const char* what, int32_t kernel) {
  require(kernel >= ABK_GRAM_AUTO && kernel <= ABK_GRAM_AVX512,
          std::string(what) + ": kernel must be 0 (auto), 1 (blas) or 2 (avx512), got " + to_string(kernel));
  require(kernel != ABK_GRAM_AVX512 || ab::gram_kernel_available(),
          std::string(what) + ": kernel avx512 was asked for, but this CPU has no AVX-512F (use auto or blas)");
  return kernel != ABK_GRAM_BLAS && ab::gram_kernel_available();
}

}  // namespace abk
