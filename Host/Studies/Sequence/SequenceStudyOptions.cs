using InitLab.Kernel.Nn;

namespace InitLab.Studies.Sequence;

/// <summary>
/// Everything that decides what paper 003's study trains for one seed (the paper's Table 1: batch 128, 100 epochs,
/// SGD lr 0.01; the CNN is our reading of its Figure 2). A sweep task carries it as JSON; <see cref="Threads"/> is
/// left out of every config (results are bit-identical for a given count, so keep it fixed within a study).
/// </summary>
public sealed record SequenceStudyOptions
{
    /// <summary>First-layer filters of each digit CNN.</summary>
    public int Filters { get; init; } = 16;
    /// <summary>Side of the first layer's kernels.</summary>
    public int KernelSize { get; init; } = 3;
    /// <summary>Max-pool size.</summary>
    public int Pool { get; init; } = 2;
    /// <summary>Dropout probability after the pool.</summary>
    public double Dropout { get; init; } = 0.25;
    /// <summary>Width of the CNN's hidden fully connected layer.</summary>
    public int Hidden { get; init; } = 128;
    /// <summary>Hidden size of the LSTMs (model-1's and model-2's).</summary>
    public int LstmHidden { get; init; } = 64;
    /// <summary>Passes over the training pairs.</summary>
    public int Epochs { get; init; } = 100;
    /// <summary>Pairs per SGD step.</summary>
    public int BatchSize { get; init; } = 128;
    /// <summary>Plain SGD step size.</summary>
    public double LearningRate { get; init; } = 0.01;
    /// <summary>At most this many batches per epoch (0: whole epochs); quick runs cut epochs short.</summary>
    public int MaxBatchesPerEpoch { get; init; }
    /// <summary>MNIST training images of the training part (each part gives twice as many pairs; the paper: 42,000).</summary>
    public int TrainImages { get; init; } = 42_000;
    /// <summary>MNIST training images of the validation part (the paper: 18,000).</summary>
    public int ValidationImages { get; init; } = 18_000;
    /// <summary>MNIST test images of the test part (0: all 10,000 of the official test set).</summary>
    public int TestImages { get; init; }
    /// <summary>Validation pairs scored after each epoch (0: all).</summary>
    public int ValidationPairs { get; init; } = 5000;
    /// <summary>Test pairs scored for Table 2 (0: all).</summary>
    public int TestPairs { get; init; }
    /// <summary>Seed of each epoch's shuffle.</summary>
    public int DataSeed { get; init; } = 7;
    /// <summary>Kernel worker threads (not part of any config).</summary>
    public int Threads { get; init; } = Math.Min(2, Environment.ProcessorCount);

    /// <summary>The paper's run.</summary>
    public static SequenceStudyOptions Paper { get; } = new();

    /// <summary>Every step small (CI): 2 epochs of at most 30 batches on 4,000 + 1,000 images, 1,000 validation and 4,000 test pairs scored.</summary>
    public static SequenceStudyOptions Quick { get; } = new()
    {
        Epochs = 2, MaxBatchesPerEpoch = 30, TrainImages = 4000, ValidationImages = 1000, ValidationPairs = 1000, TestPairs = 4000,
    };

    /// <summary>The digit CNN these options describe (28×28 single-channel digits, 10 outputs, PyTorch's default initialisation).</summary>
    public DigitCnnSpec CnnSpec()
    {
        var p = DigitCnnSpec.Paper;
        return new DigitCnnSpec(p.InChannels, p.ImageSize, Filters, KernelSize, Pool, Dropout, Hidden, p.Outputs, p.WeightInit);
    }

    /// <summary>The LSTM read-out these options describe (10 inputs per step, 28 classes).</summary>
    public SequenceLstmSpec LstmSpec()
    {
        var p = SequenceLstmSpec.Paper;
        return new SequenceLstmSpec(p.InputSize, LstmHidden, p.Classes);
    }

    /// <summary>This with another epoch count (for F#, which has no <c>with</c> on C# records).</summary>
    public SequenceStudyOptions WithEpochs(int epochs) => this with { Epochs = epochs };

    /// <summary>This with another thread count (for F#, which has no <c>with</c> on C# records).</summary>
    public SequenceStudyOptions WithThreads(int threads) => this with { Threads = threads };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first impossible option.</summary>
    public void Validate()
    {
        static void Need(bool ok, string message) { if (!ok) throw new ArgumentException(message); }
        Need(Filters >= 1 && KernelSize >= 1 && Pool >= 1 && Hidden >= 1 && LstmHidden >= 1,
            $"network sizes must be ≥ 1, got filters {Filters}, kernel {KernelSize}, pool {Pool}, hidden {Hidden}, LSTM hidden {LstmHidden}");
        Need(Dropout >= 0 && Dropout < 1, $"dropout must lie in [0, 1), got {Dropout}");
        Need(Epochs >= 1, $"epochs must be ≥ 1, got {Epochs}");
        Need(BatchSize >= 1, $"batch size must be ≥ 1, got {BatchSize}");
        Need(LearningRate > 0 && double.IsFinite(LearningRate), $"learning rate must be positive and finite, got {LearningRate}");
        Need(MaxBatchesPerEpoch >= 0, $"max batches per epoch must be ≥ 0, got {MaxBatchesPerEpoch}");
        Need(TrainImages >= 1 && ValidationImages >= 1 && TestImages >= 0,
            $"part sizes must be ≥ 1 (test ≥ 0), got {TrainImages} / {ValidationImages} / {TestImages}");
        Need(ValidationPairs >= 0 && TestPairs >= 0, $"scored pairs must be ≥ 0, got {ValidationPairs} / {TestPairs}");
        Need(DataSeed >= 0, $"data seed must be ≥ 0, got {DataSeed}");
        Need(Threads >= 1, $"threads must be ≥ 1, got {Threads}");
    }
}
