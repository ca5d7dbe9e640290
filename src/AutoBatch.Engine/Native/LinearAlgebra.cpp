#include "LinearAlgebra.h"

#include <dlfcn.h>

#include <initializer_list>

namespace ab {

namespace {

void* find_symbol(std::initializer_list<const char*> libraries, const char* name) {
  for (const char* library : libraries) {
#ifdef AB_LOAD_LINEAR_ALGEBRA
    // Loaded here and kept for the life of the process (never closed).
    void* handle = dlopen(library, RTLD_LAZY | RTLD_LOCAL);
    if (handle == nullptr) continue;
    using SetThreads = void (*)(int);
    if (auto set_threads = reinterpret_cast<SetThreads>(dlsym(handle, "openblas_set_num_threads"))) set_threads(1);
#else
    void* handle = dlopen(library, RTLD_LAZY | RTLD_NOLOAD);
    if (handle == nullptr) continue;
#endif
    if (void* symbol = dlsym(handle, name)) return symbol;
  }
#ifdef AB_LOAD_LINEAR_ALGEBRA
  return nullptr;
#else
  return dlsym(RTLD_DEFAULT, name);
#endif
}

}  // namespace

DsyrkFn blas_dsyrk() {
  static const auto fn = reinterpret_cast<DsyrkFn>(find_symbol({"libblas.so.3", "libopenblas.so.0"}, "dsyrk_"));
  return fn;
}

DsytrdFn lapack_dsytrd() {
  static const auto fn = reinterpret_cast<DsytrdFn>(find_symbol({"liblapack.so.3"}, "dsytrd_"));
  return fn;
}

}  // namespace ab
