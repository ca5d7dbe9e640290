namespace AutoBatch.Engine.Runtime;

/// <summary>Which engine computes training steps and probes.</summary>
public enum EngineKind
{
    /// <summary>Our C ABI over Debian's LibTorch 1.13 (src/AutoBatch.Engine/Native): the reference until the switch.</summary>
    Native = 0,

    /// <summary>TorchSharp 0.107 over LibTorch 2.10.</summary>
    TorchSharp = 1,
}
