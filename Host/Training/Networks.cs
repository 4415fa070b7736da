using InitLab.Kernel;
using InitLab.Kernel.Init;
using InitLab.Kernel.Nn;
using Microsoft.FSharp.Core;

namespace InitLab.Training;

/// <summary>The reference networks, built from C# without the Kernel's F# optional arguments.</summary>
public static class Networks
{
    /// <summary>Names accepted by <see cref="Create"/>.</summary>
    public static readonly IReadOnlyList<string> Names = ["lenet5", "twolayer"];

    /// <summary>Caffe's LeNet-5 with weights drawn from <paramref name="generator"/>; <paramref name="weightInit"/> as parsed by <see cref="Initializer.Parse"/> (default Caffe's xavier).</summary>
    public static Module LeNet5(Generator generator, string? weightInit = null) =>
        Models.LeNet5(Init(weightInit), null, FSharpOption<Generator>.Some(generator), null);

    /// <summary>The textbook's two-layer net (flatten, affine, sigmoid, affine); weights 0.01·N(0,1) unless given.</summary>
    public static Module TwoLayerNet(Generator generator, int input = 784, int hidden = 50, int output = 10, string? weightInit = null) =>
        Sequential.OfModules([new Flatten(), Models.TwoLayerNet(input, hidden, output, Init(weightInit), null, FSharpOption<Generator>.Some(generator), null)]);

    /// <summary>A network by name (see <see cref="Names"/>).</summary>
    /// <exception cref="ArgumentException">Unknown name or initialiser.</exception>
    public static Module Create(string name, Generator generator, string? weightInit = null) => name switch
    {
        "lenet5" => LeNet5(generator, weightInit),
        "twolayer" => TwoLayerNet(generator, weightInit: weightInit),
        _ => throw new ArgumentException($"unknown network '{name}'; expected one of {string.Join(", ", Names)}", nameof(name)),
    };

    static FSharpOption<Initializer>? Init(string? text) =>
        text is null ? null : FSharpOption<Initializer>.Some(Initializer.Parse(text));
}
