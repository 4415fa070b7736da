using InitLab.Data;
using InitLab.Kernel;

namespace InitLab.Training;

/// <summary>Mini-batches as Kernel tensors.</summary>
public static class BatchTensors
{
    /// <summary>
    /// The batch's images as an N×C×H×W float32 tensor sharing the batch's array (no copy). With
    /// <see cref="BatchOptions.ReuseBuffers"/> the tensor is valid until the enumerator moves on.
    /// </summary>
    public static Tensor ToTensor(this Batch batch) => Tensor.Wrap(batch.Images, batch.Shape);
}
