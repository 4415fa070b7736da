using InitLab.Kernel;
using InitLab.Kernel.Init;
using InitLab.Kernel.Nn;

namespace InitLab.Studies;

/// <summary>The network of a study: a reference network by name and how its weights are drawn.</summary>
public sealed record NetConfig
{
    /// <summary>A name of the network registry (<see cref="Models.Names"/>), e.g. "lenet5".</summary>
    public required string Name { get; init; }

    /// <summary>The weight initialiser as <see cref="Initializer"/> text (e.g. "xavier-normal", "caffe-xavier"); null for the network's default.</summary>
    public string? WeightInit { get; init; }

    /// <summary>The network with its weights drawn from a generator seeded with <paramref name="seed"/>.</summary>
    public Module Create(int seed) => Models.Create(Name, new Generator(seed), WeightInit);

    /// <summary>Throws <see cref="ArgumentException"/> naming an unknown network or initialiser.</summary>
    public void Validate()
    {
        if (!Models.Names.Contains(Name))
            throw new ArgumentException($"net '{Name}' is unknown; expected one of {string.Join(", ", Models.Names)}");
        if (WeightInit is not null) Initializer.Parse(WeightInit);
    }
}
