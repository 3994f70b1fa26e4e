using System.Text.Json;

namespace VisualNarrator.Convert.Tests.Support;

/// <summary>A small memorisable narration set written as JSONL: every description follows one template, so what
/// the model learns on the training split also lowers the loss on the validation split.</summary>
internal static class TinyData
{
    private static readonly string[] Scenes =
    [
        "a busy city street", "a sunset over mountains", "the trees in light", "people on a street", "a city with light",
        "the mountains and the trees", "a street with people", "light over the city", "a busy street", "the sunset in the city",
        "people in the light", "mountains over a city", "the light on a street", "trees and people", "a sunset with trees",
        "a city of light", "the people of the city", "a street in the mountains", "light and trees", "the busy people",
    ];

    public static string Write(string path, int count = 20)
    {
        using var writer = new StreamWriter(path);
        for (var i = 0; i < count; i++)
        {
            var scene = Scenes[i % Scenes.Length];
            writer.WriteLine(JsonSerializer.Serialize(new { prompt = $"Describe this image: {scene}", description = $"this image of {scene} with light" }));
        }
        return path;
    }
}
