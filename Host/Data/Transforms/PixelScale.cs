namespace InitLab.Data;

/// <summary>How byte pixels become floats.</summary>
public enum PixelScale
{
    /// <summary>v / 255: 0..255 maps onto exactly 0..1.</summary>
    Unit255,
    /// <summary>v / 256 (Caffe's LeNet scale 0.00390625): 255 maps to 0.996; an exact power of two, so the conversion is lossless.</summary>
    Caffe256,
}
