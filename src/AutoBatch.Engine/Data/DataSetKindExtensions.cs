namespace AutoBatch.Engine.Data;

/// <summary>Per-data-set defaults taken from the paper's protocol (docs/DESIGN.md, 'Training protocol').</summary>
public static class DataSetKindExtensions
{
    /// <summary>
    /// The paper's augmentation for <paramref name="kind"/>: crop without flip for digit and clothing images
    /// (MNIST, Fashion-MNIST, SVHN), crop and flip for CIFAR.
    /// </summary>
    public static AugmentationKind DefaultAugmentation(this DataSetKind kind) => kind switch
    {
        DataSetKind.FashionMnist or DataSetKind.Mnist or DataSetKind.Svhn => AugmentationKind.CropOnly,
        DataSetKind.Cifar10 or DataSetKind.Cifar100 => AugmentationKind.CropAndFlip,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown data set kind."),
    };

    /// <summary>The number of classes of <paramref name="kind"/> (100 for CIFAR-100's fine labels, 10 otherwise).</summary>
    public static int ClassCount(this DataSetKind kind) => kind switch
    {
        DataSetKind.Cifar100 => 100,
        DataSetKind.FashionMnist or DataSetKind.Mnist or DataSetKind.Cifar10 or DataSetKind.Svhn => 10,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown data set kind."),
    };

    /// <summary>The data set's usual written name, e.g. <c>Fashion-MNIST</c> or <c>CIFAR-10</c>, for messages and logs.</summary>
    public static string DisplayName(this DataSetKind kind) => kind switch
    {
        DataSetKind.FashionMnist => "Fashion-MNIST",
        DataSetKind.Mnist => "MNIST",
        DataSetKind.Cifar10 => "CIFAR-10",
        DataSetKind.Cifar100 => "CIFAR-100",
        DataSetKind.Svhn => "SVHN",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown data set kind."),
    };
}
