#include <immintrin.h>
#include <chrono>
#include <cstdio>
template<int W> __attribute__((target("avx512f"))) double run512(long iters){
  __m512d a[W]; __m512d b=_mm512_set1_pd(1.0000001), c=_mm512_set1_pd(1e-9);
  for(int i=0;i<W;i++) a[i]=_mm512_set1_pd(i);
  for(long t=0;t<iters;t++){
#pragma GCC unroll 24
    for(int i=0;i<W;i++) a[i]=_mm512_fmadd_pd(a[i],b,c);
  }
  double s=0; for(int i=0;i<W;i++) s+=_mm512_reduce_add_pd(a[i]); return s;
}
template<int W> __attribute__((target("avx2,fma"))) double run256(long iters){
  __m256d a[W]; __m256d b=_mm256_set1_pd(1.0000001), c=_mm256_set1_pd(1e-9);
  for(int i=0;i<W;i++) a[i]=_mm256_set1_pd(i);
  for(long t=0;t<iters;t++){
#pragma GCC unroll 24
    for(int i=0;i<W;i++) a[i]=_mm256_fmadd_pd(a[i],b,c);
  }
  double s=0; double tmp[4]; for(int i=0;i<W;i++){_mm256_storeu_pd(tmp,a[i]); s+=tmp[0];} return s;
}
int main(){
  long iters=200000000/24;
  for(int rep=0;rep<3;rep++){
  auto t0=std::chrono::steady_clock::now(); double s=run512<24>(iters); auto t1=std::chrono::steady_clock::now();
  double sec=std::chrono::duration<double>(t1-t0).count();
  printf("zmm: %.2f GMAC/s (%g)\n", iters*24.0*8/sec/1e9, s);
  t0=std::chrono::steady_clock::now(); s=run256<24>(iters); t1=std::chrono::steady_clock::now();
  sec=std::chrono::duration<double>(t1-t0).count();
  printf("ymm: %.2f GMAC/s (%g)\n", iters*24.0*4/sec/1e9, s);
  }
}
