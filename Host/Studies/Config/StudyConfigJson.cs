using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using InitLab.Data;

namespace InitLab.Studies;

/// <summary>The JSON form of <see cref="StudyConfig"/>: one serializer setting for the stored config and the report's table.</summary>
static class StudyConfigJson
{
    // Property order is declaration order and numbers are written round-trip, so equal records give equal
    // text: the run store finds a finished run by comparing it.
    static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>A data set as a run's config names it.</summary>
    sealed record DataSetIdentity(string Name, int Count, string Fingerprint)
    {
        public static DataSetIdentity? Of(DataSet? d) => d is null ? null : new(d.Name, d.Count, d.Fingerprint);
    }

    /// <summary>One arm's stored configuration (see <see cref="StudyConfig.ArmConfigJson"/>).</summary>
    sealed record ArmDocument(string Study, string Arm, int Seed, NetConfig Net, SolverConfig Solver, DataConfig Data, int Threads,
        DataSetIdentity Train, DataSetIdentity? Test);

    public static string Serialize(StudyConfig study) => JsonSerializer.Serialize(study, Options);

    public static StudyConfig Deserialize(string json) =>
        JsonSerializer.Deserialize<StudyConfig>(json, Options) ?? throw new JsonException("the study config is null");

    public static string SerializeArm(StudyConfig study, string arm, int seed, DataSet train, DataSet? test) =>
        JsonSerializer.Serialize(new ArmDocument(study.Name, arm, seed, study.Net, study.Solver, study.Data, study.Threads,
            DataSetIdentity.Of(train)!, DataSetIdentity.Of(test)), Options);

    /// <summary>Every leaf of a JSON object as (dotted path, text); arrays of values joined by ", ".</summary>
    public static IEnumerable<(string Key, string Value)> Rows(string json)
    {
        var rows = new List<(string, string)>();
        void Walk(string prefix, JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (key, child) in o) Walk(prefix.Length == 0 ? key : prefix + "." + key, child);
                    break;
                case JsonArray a when a.All(x => x is JsonValue):
                    rows.Add((prefix, string.Join(", ", a.Select(Text))));
                    break;
                case JsonArray a:
                    for (int i = 0; i < a.Count; i++) Walk($"{prefix}[{i}]", a[i]);
                    break;
                default:
                    rows.Add((prefix, Text(node)));
                    break;
            }
        }
        Walk("", JsonNode.Parse(json));
        return rows;
    }

    static string Text(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : node?.ToJsonString() ?? "null";
}
