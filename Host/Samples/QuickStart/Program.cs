// The C# API in one page: load MNIST, build Caffe's LeNet-5, train a few steps through the Kernel,
// and record the run in the SQLite run store.
//
//   dotnet run --project Host/Samples/QuickStart -c Release -- [data root] [iterations]
using InitLab.Data;
using InitLab.Kernel;
using InitLab.Kernel.Nn;
using InitLab.Store;
using InitLab.Training;

string? explicitRoot = args.Length > 0 ? args[0] : null;
int iterations = args.Length > 1 ? int.Parse(args[1]) : 100;

// Data: explicit root → INITLAB_DATA → user cache → download → synthetic digits (warned loudly).
var resolution = DataRoot.Resolve(new DataRootOptions { ExplicitRoot = explicitRoot, Warnings = Console.Error });
var mnist = resolution.Root is string root ? Mnist.Load(root) : null;
var (train, test) = mnist is not null
    ? (mnist.Train, mnist.Test)
    : (SyntheticDigits.Generate(6000, 1), SyntheticDigits.Generate(1000, 2));
Console.WriteLine($"train: {train}\ntest:  {test}");

// Model and solver: Caffe's LeNet recipe (xavier fillers; SGD momentum 0.9, inv policy, bias lr ×2).
var model = Models.Create("lenet5", new Generator(1));
var options = new TrainingOptions { Iterations = iterations, BatchSize = 64, TestInterval = iterations, Progress = ProgressMode.Lines };
var trainer = new Trainer(model, "caffe-lenet", options);

// Record the run: config, seed, data fingerprint, metrics per iteration, status.
Directory.CreateDirectory("runs");
using var store = RunStore.Open(Path.Combine("runs", "quickstart.db"));
long run = store.StartRun(new RunInfo("quickstart", "lenet5-mnist", """{"solver":"caffe-lenet"}""", 1, train.Fingerprint));
var result = trainer.Run(train, test, store, run);
store.FinishRun(run, RunStatus.Finished);

Console.WriteLine($"run {run}: loss {result.Losses[^1]:F4}, test accuracy {result.Final!.Accuracy:P2}, {result.ImagesPerSecond:F0} img/s");
