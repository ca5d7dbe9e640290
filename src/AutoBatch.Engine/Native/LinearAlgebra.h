// The two routines the kernels take from the system's BLAS and LAPACK through their Fortran interface: dsyrk (the
// portable Gram product) and dsytrd (the tridiagonal reduction of the spectrum extremes). Looked up at run time, so
// that either library loads without them: a null function means "not available" and the caller falls back.
//
// Where they come from depends on the library being built. libautobatch_native (libtorch 1.13) takes them from the
// libraries libtorch already loaded (libblas.so.3 and liblapack.so.3 on Debian, OpenBLAS with libopenblas0-pthread),
// never loading one itself. libautobatch_kernels (built with AB_LOAD_LINEAR_ALGEBRA) has no libtorch beneath it and
// loads Debian's libblas.so.3 / liblapack.so.3 itself, privately (RTLD_LOCAL: a LibTorch in the same process keeps its
// own BLAS), and sets OpenBLAS to one thread once, when it loads it: the callers' threads are counted by the callers.
#pragma once
#include <cstddef>

namespace ab {

using DsyrkFn = void (*)(const char* uplo, const char* trans, const int* n, const int* k, const double* alpha,
                         const double* a, const int* lda, const double* beta, double* c, const int* ldc,
                         size_t uplo_length, size_t trans_length);
using DsytrdFn = void (*)(const char* uplo, const int* n, double* a, const int* lda, double* d, double* e,
                          double* tau, double* work, const int* lwork, int* info, size_t uplo_length);

// BLAS dsyrk_, or null; looked up once.
DsyrkFn blas_dsyrk();

// LAPACK dsytrd_, or null; looked up once.
DsytrdFn lapack_dsytrd();

}  // namespace ab
