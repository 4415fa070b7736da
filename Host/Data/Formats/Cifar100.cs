using System.Security.Cryptography;

namespace InitLab.Data;

/// <summary>
/// Reader for CIFAR-100, binary version (<c>cifar-100-binary/{train,test}.bin</c>, optionally gzipped): each record
/// has a coarse (superclass, 0..19) and a fine (class, 0..99) label byte before the 3×32×32 pixels.
/// <see cref="DataSet.Labels"/> holds the fine labels and <see cref="DataSet.CoarseLabels"/> the coarse ones.
/// </summary>
public static class Cifar100
{
    /// <summary>The 100 fine class names in label order (as in the official <c>fine_label_names.txt</c>).</summary>
    public static readonly IReadOnlyList<string> DefaultFineClassNames =
    [
        "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle",
        "bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar", "cattle",
        "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur",
        "dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster", "house", "kangaroo", "keyboard",
        "lamp", "lawn_mower", "leopard", "lion", "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain",
        "mouse", "mushroom", "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree",
        "plain", "plate", "poppy", "porcupine", "possum", "rabbit", "raccoon", "ray", "road", "rocket",
        "rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake", "spider",
        "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone", "television", "tiger", "tractor",
        "train", "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm",
    ];

    /// <summary>The 20 coarse class names in label order (as in the official <c>coarse_label_names.txt</c>).</summary>
    public static readonly IReadOnlyList<string> DefaultCoarseClassNames =
    [
        "aquatic_mammals", "fish", "flowers", "food_containers", "fruit_and_vegetables",
        "household_electrical_devices", "household_furniture", "insects", "large_carnivores", "large_man-made_outdoor_things",
        "large_natural_outdoor_scenes", "large_omnivores_and_herbivores", "medium_mammals", "non-insect_invertebrates", "people",
        "reptiles", "small_mammals", "trees", "vehicles_1", "vehicles_2",
    ];

    /// <summary>The CIFAR-100 folder under <paramref name="root"/> (or root itself); null if absent.</summary>
    public static string? FindDirectory(string root)
    {
        foreach (var dir in new[] { Path.Combine(root, "cifar-100-binary"), root })
            if (File.Exists(Path.Combine(dir, "test.bin")) || File.Exists(Path.Combine(dir, "test.bin.gz")))
                return dir;
        return null;
    }

    /// <summary>Loads the training set (train.bin) and the official test set (test.bin) with fine and coarse labels.</summary>
    public static TrainTestSplit Load(string root)
    {
        string dir = FindDirectory(root) ?? Path.Combine(root, "cifar-100-binary");
        var fineNames = CifarBinary.Names(dir, "fine_label_names.txt", DefaultFineClassNames);
        var coarseNames = CifarBinary.Names(dir, "coarse_label_names.txt", DefaultCoarseClassNames);
        string[] files = [CifarBinary.Locate(dir, "train.bin"), CifarBinary.Locate(dir, "test.bin")];
        var sets = new DataSet[2];
        ParallelRead.Run(2, i =>
        {
            var c = SourceFile.Read(files[i]);
            var (p, fine, coarse) = CifarBinary.Read(c, 2, fineNames.Count, coarseNames.Count);
            var fp = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(c.Sha256)));
            sets[i] = new DataSet(i == 0 ? "cifar-100/train" : "cifar-100/test", p, fine, 3, CifarBinary.Side, CifarBinary.Side,
                fineNames, fp, coarse, coarseNames);
        });
        return new TrainTestSplit(sets[0], sets[1]);
    }
}
