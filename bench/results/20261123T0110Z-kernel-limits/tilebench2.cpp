#include <immintrin.h>
#include <chrono>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
constexpr int64_t kGroupRows = 8;
template <int M, bool First>
__attribute__((target("avx512f"))) void tile(const double* a, const double* b, int64_t kk, int64_t kc, double* c,
                                             int64_t ldc) {
  __m512d acc[M][kGroupRows];
#pragma GCC unroll 8
  for (int s = 0; s < kGroupRows; ++s)
#pragma GCC unroll 3
    for (int m = 0; m < M; ++m) acc[m][s] = _mm512_setzero_pd();
  for (int64_t t = 0; t < kk; ++t) {
    __m512d av[M];
#pragma GCC unroll 3
    for (int m = 0; m < M; ++m) av[m] = _mm512_load_pd(a + m * kc * kGroupRows + t * kGroupRows);
    const double* bt = b + t * kGroupRows;
#pragma GCC unroll 8
    for (int s = 0; s < kGroupRows; ++s) {
      __m512d bv = _mm512_set1_pd(bt[s]);
#pragma GCC unroll 3
      for (int m = 0; m < M; ++m) acc[m][s] = _mm512_fmadd_pd(av[m], bv, acc[m][s]);
    }
  }
#pragma GCC unroll 8
  for (int s = 0; s < kGroupRows; ++s)
#pragma GCC unroll 3
    for (int m = 0; m < M; ++m) {
      double* out = c + s * ldc + m * kGroupRows;
      if constexpr (First) {
        _mm512_storeu_pd(out, acc[m][s]);
      } else {
        _mm512_storeu_pd(out, _mm512_add_pd(_mm512_loadu_pd(out), acc[m][s]));
      }
    }
}



double run(double* a,double* b,double* c,int64_t kc,int64_t groups,int variant){
  long reps=4000000/(kc*24);
  auto t0=std::chrono::steady_clock::now();
  for(long rep=0;rep<reps;rep++){ int64_t g=(rep*3)%(groups-2); double* cc=c+(rep%8)*24;
    if(variant==0) tile<3,false>(a+g*kc*8,b,kc,kc,cc,512); else tile<3,false>(a+g*kc*8,b,kc,kc,cc,512); }
  double t=std::chrono::duration<double>(std::chrono::steady_clock::now()-t0).count();
  return reps*kc*24.0*8/t/1e9;  // float64 multiply-adds (8 lanes per FMA)
}
int main(int argc,char**argv){
  double* a=(double*)aligned_alloc(64,64*256*8*8); double* b=(double*)aligned_alloc(64,256*8*8); double* c=(double*)aligned_alloc(64,8*512*8);
  for(int64_t i=0;i<64*256*8;i++) a[i]=1e-3*(i%17); for(int64_t i=0;i<256*8;i++) b[i]=1e-3*(i%13);
  for(int i=0;i<8*512;i++) c[i]=0;
  struct V{int64_t kc,groups;} vs[]={{128,3},{64,3},{32,3},{128,64},{256,3},{256,64}};
  double best[6]={0};
  for(int r=0;r<200;r++) for(int v=0;v<6;v++){ double g=run(a,b,c,vs[v].kc,vs[v].groups,0); if(g>best[v])best[v]=g; }
  for(int v=0;v<6;v++) printf("kc=%ld groups=%ld best %.1f G multiply-adds/s\n",vs[v].kc,vs[v].groups,best[v]);
  printf("%g\n",c[0]);
}
