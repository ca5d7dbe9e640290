namespace AutoBatch.Engine.Data;

/// <summary>The image classification data sets the trainer can load (paper Sec. 4).</summary>
public enum DataSetKind
{
    /// <summary>Fashion-MNIST: 28x28 grey-scale, 10 classes, IDX files (the default data set).</summary>
    FashionMnist,

    /// <summary>MNIST handwritten digits: 28x28 grey-scale, 10 classes, IDX files.</summary>
    Mnist,

    /// <summary>CIFAR-10: 32x32 RGB, 10 classes, binary version.</summary>
    Cifar10,

    /// <summary>CIFAR-100: 32x32 RGB, 100 fine classes, binary version.</summary>
    Cifar100,

    /// <summary>SVHN cropped digits: 32x32 RGB, 10 classes, MATLAB Level-5 .mat files.</summary>
    Svhn,
}
