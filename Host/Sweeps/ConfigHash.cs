using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using InitLab.Store;

namespace InitLab.Sweeps;

/// <summary>Canonical JSON of a task config and its SHA-256: the identity of a run across machines.</summary>
public static class ConfigHash
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never,
    };

    /// <summary>The config as canonical JSON (sorted keys, no whitespace).</summary>
    public static string CanonicalJsonOf(TaskConfig config) =>
        CanonicalJson.Normalize(JsonSerializer.Serialize(config, Json), "task config");

    /// <summary>SHA-256 (lower-case hex) of the canonical form of <paramref name="json"/>.</summary>
    public static string OfJson(string json) => RunStore.ConfigHash(json);

    /// <summary>SHA-256 (lower-case hex) of the config's canonical JSON.</summary>
    public static string Of(TaskConfig config) => RunStore.ConfigHash(CanonicalJsonOf(config));

    /// <summary>The canonical JSON of <paramref name="json"/> without its top-level "seed": what repeats of one arm share.</summary>
    public static string WithoutSeed(string json) => RunComparison.WithoutSeed(json);

    /// <summary>SHA-256 (lower-case hex) of <paramref name="text"/> as UTF-8 (the manifest's own hash).</summary>
    internal static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
