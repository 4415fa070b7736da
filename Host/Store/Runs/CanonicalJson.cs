using System.Text.Json;

namespace InitLab.Store;

/// <summary>
/// Rewrites a JSON document with object keys sorted (ordinal) and no insignificant whitespace, so that
/// configurations that differ only in layout or key order compare equal as strings.
/// Numbers keep their original text, so no precision is lost.
/// </summary>
internal static class CanonicalJson
{
    public static string Normalize(string json, string what)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{what} is not valid JSON: {e.Message}", nameof(json), e);
        }
        using (doc)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
                Write(doc.RootElement, writer);
            return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        }
    }

    static void Write(JsonElement e, Utf8JsonWriter w)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                w.WriteStartObject();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var p in e.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (!seen.Add(p.Name))
                        throw new ArgumentException($"JSON object has the key '{p.Name}' more than once");
                    w.WritePropertyName(p.Name);
                    Write(p.Value, w);
                }
                w.WriteEndObject();
                break;
            case JsonValueKind.Array:
                w.WriteStartArray();
                foreach (var item in e.EnumerateArray()) Write(item, w);
                w.WriteEndArray();
                break;
            default:
                e.WriteTo(w);
                break;
        }
    }
}
