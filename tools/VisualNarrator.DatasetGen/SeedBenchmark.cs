using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace VisualNarrator.DatasetGen;

/// <summary>The seed model's own 12-prompt benchmark (docs/metrics.md section 4): prompts verbatim, including its three
/// templates that are not among the four training templates, in its three categories, with its relevance keywords.</summary>
public static class SeedBenchmark
{
    /// <summary>The seed's relevance keywords (a description is "relevant" if it contains any of them).</summary>
    public static readonly IReadOnlyList<string> Keywords =
        ["sunset", "forest", "beach", "city", "street", "kitchen", "building", "sports", "classroom", "concert", "family"];

    /// <summary>(category, prompt, scene) for the 12 prompts, in the seed's order.</summary>
    public static readonly IReadOnlyList<(string SceneType, string Prompt, string Scene)> Items =
    [
        ("Nature", "Describe this image: a beautiful sunset over mountains", "a beautiful sunset over mountains"),
        ("Nature", "What do you see in this picture: a peaceful forest with sunlight", "a peaceful forest with sunlight"),
        ("Nature", "Generate a caption: a tropical beach with palm trees", "a tropical beach with palm trees"),
        ("Nature", "This image shows a field of wildflowers", "a field of wildflowers"),
        ("Urban", "Describe this image: a busy city street with skyscrapers", "a busy city street with skyscrapers"),
        ("Urban", "What do you see here: a modern kitchen with appliances", "a modern kitchen with appliances"),
        ("Urban", "Generate a caption: a historic building with architecture", "a historic building with architecture"),
        ("Urban", "This picture shows a subway station with commuters", "a subway station with commuters"),
        ("People", "Describe this image: a sports event with athletes", "a sports event with athletes"),
        ("People", "What do you see in this photo: a classroom with students", "a classroom with students"),
        ("People", "Generate a caption: a concert with musicians performing", "a concert with musicians performing"),
        ("People", "This image shows a family gathering in a living room", "a family gathering in a living room"),
    ];

    /// <summary>The benchmark as JSONL: <c>{"id","scene_type","scene","prompt","keywords"}</c> per line.</summary>
    public static string Jsonl()
    {
        var sb = new StringBuilder();
        var options = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        for (int i = 0; i < Items.Count; i++)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms, options))
            {
                w.WriteStartObject();
                w.WriteString("id", $"seed-{i + 1:D2}");
                w.WriteString("scene_type", Items[i].SceneType);
                w.WriteString("scene", Items[i].Scene);
                w.WriteString("prompt", Items[i].Prompt);
                w.WriteStartArray("keywords");
                foreach (var k in Keywords) w.WriteStringValue(k);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            sb.Append(Encoding.UTF8.GetString(ms.ToArray())).Append('\n');
        }
        return sb.ToString();
    }
}
