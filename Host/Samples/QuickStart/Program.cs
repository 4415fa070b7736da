// The C# API in one page: load MNIST (or synthetic digits), build Caffe's LeNet-5 from the Kernel's
// model registry, train it a few steps with a typed optimiser on the one Trainer, record the run in the
// SQLite run store, and load the checkpoint's weights into a fresh network: parameters and optimiser
// state leave the Kernel as StateBuffers, which are the checkpoint file's entries as they are.
//
//   dotnet run --project Host/Samples/QuickStart -c Release -- [data root] [iterations]
using System.Globalization;
using InitLab.Data;
using InitLab.Kernel;
using InitLab.Kernel.Nn;
using InitLab.Kernel.Optim;
using InitLab.Store;
using InitLab.Training;

string? explicitRoot = args.Length > 0 ? args[0] : null;
int iterations = 100;
if (args.Length > 1 && !(int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out iterations) && iterations >= 1))
{
    Console.Error.WriteLine($"quickstart: iterations '{args[1]}' is not a whole number ≥ 1");
    Console.Error.WriteLine("usage: QuickStart [data root] [iterations]");
    return 2;
}

// Data: explicit root → INITLAB_DATA → user cache → download → synthetic digits (warned loudly).
var digits = DigitSource.LoadMnistOrSynthetic(new DataRootOptions { ExplicitRoot = explicitRoot, Warnings = Console.Error },
    seed: 1, syntheticTrain: 6000, syntheticTest: 1000);
var (train, test) = (digits.Data.Train, digits.Data.Test);
Console.WriteLine($"train: {train}\ntest:  {test}");

// Model and solver: Caffe's LeNet-5 (xavier fillers) and SGD with Caffe's momentum 0.9, weight decay 5e-4.
var model = Models.Create("lenet5", new Generator(1));
var optimizer = Optimizers.Sgd(model, lr: 0.01, momentum: 0.9, weightDecay: 5e-4, caffeMomentum: true);
Directory.CreateDirectory("runs");
var checkpoint = Path.Combine("runs", "quickstart.safetensors");
var options = new TrainingOptions { Iterations = iterations, BatchSize = 64, TestInterval = iterations, Threads = 2,
                                    CheckpointPath = checkpoint, Progress = ProgressMode.Lines };
var trainer = new Trainer(model, optimizer, options);

// Record the run: config, seed, data fingerprint, metrics per iteration, status.
using var store = RunStore.Open(Path.Combine("runs", "quickstart.db"));
long run = store.StartRun(new RunInfo("quickstart", "lenet5-mnist", """{"solver":"sgd:0.9 lr=0.01 wd=5e-4"}""", 1, train.Fingerprint));
var result = trainer.Run(train, test, store, run);
store.FinishRun(run, RunStatus.Finished);

Console.WriteLine($"run {run}: loss {result.Losses[^1]:F4}, test accuracy {result.Final!.Accuracy:P2}, {result.ImagesPerSecond:F0} img/s");

// The checkpoint holds the Kernel's own state type: its parameters load straight into another network.
var saved = Checkpoint.Load(checkpoint);
var copy = Models.Create("lenet5", new Generator(2));
copy.LoadParameters(saved.Parameters, checkpoint);
bool same = saved.Parameters.SequenceEqual(model.SaveParameters());
Console.WriteLine($"{checkpoint}: iteration {saved.Iteration}, {saved.Parameters.Count} parameter and {saved.OptimizerState.Count} optimiser "
    + $"entries; bit-identical to the model: {same}; reloaded test accuracy {Evaluator.Evaluate(copy, test, options.Scale).Accuracy:P2}");
return same ? 0 : 1;
