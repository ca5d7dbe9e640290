namespace AutoBatch.Engine.Models;

/// <summary>The architectures of the paper (docs/DESIGN.md, 'Training protocol').</summary>
public enum ModelKind
{
    /// <summary>Fully connected ReLU network.</summary>
    Mlp = 0,

    /// <summary>ResNet of depth 6n+2 with parameter-free shortcuts.</summary>
    ResNet = 1,

    /// <summary>DenseNet with per-block layer counts and growth rates.</summary>
    DenseNet = 2,

    /// <summary>A user's own TorchSharp module (the TorchSharp engine only), named by its architecture's fingerprint.</summary>
    Custom = 3,
}
