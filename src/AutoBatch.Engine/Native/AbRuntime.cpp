// Runtime-wide exports: errors, version, thread counts.
#include <dlfcn.h>
#include <malloc.h>

#include <string>

#include <ATen/Parallel.h>

#include "AbApi.h"
#include "Errors.h"

namespace ab {
namespace {
thread_local std::string g_last_error;

// glibc returns every large block (activations, im2col scratch) to the kernel on free and page-faults it back in
// at the next step; profiles showed 8-10% of a training step in those faults. Keeping freed memory for reuse
// removes them without raising the peak (the same sizes are reallocated every step).
struct AllocatorTuning {
  AllocatorTuning() {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's maximum on 64-bit; larger requests still use mmap
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
  }
} g_allocator_tuning;
}

void set_last_error(const std::string& message) { g_last_error = message; }
void clear_last_error() { g_last_error.clear(); }

}  // namespace ab

AB_EXPORT const char* ab_last_error() { return ab::g_last_error.c_str(); }

AB_EXPORT int32_t ab_version(int32_t* major, int32_t* minor) {
  return ab::guarded([&] {
    ab::require(major && minor, "ab_version: null output pointer");
    *major = 1;
    *minor = 0;
  });
}

// OpenBLAS and libtorch's OpenMP pool each default to one thread per core; together they oversubscribe a small
// machine and halve throughput. OpenBLAS is looked up dynamically so the library also loads over reference BLAS.
AB_EXPORT int32_t ab_set_threads(int32_t intra_op_threads, int32_t blas_threads) {
  return ab::guarded([&] {
    ab::require(intra_op_threads >= 1 && intra_op_threads <= 1024,
                "threads: expected 1..1024 intra-op threads, got " + std::to_string(intra_op_threads));
    ab::require(blas_threads >= 1 && blas_threads <= 1024,
                "blas threads: expected 1..1024, got " + std::to_string(blas_threads));
    at::set_num_threads(intra_op_threads);
    using SetThreads = void (*)(int);
    if (auto set_blas = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
      set_blas(blas_threads);
    }
  });
}

AB_EXPORT int32_t ab_get_threads(int32_t* intra_op_threads) {
  return ab::guarded([&] {
    ab::require(intra_op_threads != nullptr, "ab_get_threads: null output pointer");
    *intra_op_threads = at::get_num_threads();
  });
}
