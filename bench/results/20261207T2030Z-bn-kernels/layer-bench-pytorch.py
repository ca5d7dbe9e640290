import torch, time
torch.set_num_threads(1)
for shape in [(8,16,28,28),(8,32,14,14),(8,64,7,7),(32,16,28,28)]:
    x=torch.randn(*shape, requires_grad=True)
    bn=torch.nn.BatchNorm2d(shape[1])
    g=torch.randn(*shape)
    for _ in range(20):
        y=bn(x); y.backward(g)
    n=300; t=time.perf_counter()
    for _ in range(n):
        y=bn(x); y.backward(g)
    dt=(time.perf_counter()-t)/n*1e3
    t=time.perf_counter()
    for _ in range(n):
        y=bn(x)
    df=(time.perf_counter()-t)/n*1e3
    print(shape, "fwd+bwd %.3f ms  fwd %.3f ms" % (dt, df))
