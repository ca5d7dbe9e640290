#include <immintrin.h>
#include <stdio.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int main(){
  __m512d a[12]; __m512d b=_mm512_set1_pd(1.0000001), c=_mm512_set1_pd(1e-9);
  for(int i=0;i<12;i++) a[i]=_mm512_set1_pd(i);
  long n=200000000/12; double t=now();
  for(long k=0;k<n;k++){
    #pragma GCC unroll 12
    for(int i=0;i<12;i++) a[i]=_mm512_fmadd_pd(a[i],b,c);
  }
  t=now()-t; double s=0; for(int i=0;i<12;i++) s+=_mm512_reduce_add_pd(a[i]);
  printf("%.2f G dp-FMA/s (%g)\n", n*12.0*8/t/1e9, s);
}
