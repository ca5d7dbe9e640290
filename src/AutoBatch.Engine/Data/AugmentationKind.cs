namespace AutoBatch.Engine.Data;

/// <summary>
/// Training-time augmentation as in He et al. (2016), Sec. 4.2: 4-pixel zero padding and a random crop back to the
/// original size, with a random horizontal flip for natural images only (a mirrored digit is a different glyph).
/// </summary>
/// <remarks>
/// Padding is applied to the <em>normalised</em> image with the value 0, i.e. a padded pixel equals the channel mean,
/// as in fb.resnet.torch (normalise, then flip, then pad-and-crop). This differs from the usual torchvision pipeline,
/// which pads raw black pixels before <c>ToTensor</c>/<c>Normalize</c>.
/// </remarks>
public enum AugmentationKind
{
    /// <summary>No augmentation: the normalised image as stored.</summary>
    None,

    /// <summary>Pad 4 pixels of zeros on every side and crop a random window of the original size; no flip (digits).</summary>
    CropOnly,

    /// <summary>As <see cref="CropOnly"/>, then mirror left-right with probability 0.5 (CIFAR).</summary>
    CropAndFlip,
}
