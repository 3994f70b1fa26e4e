namespace VisualNarrator.DatasetGen.OpenVocabulary;

/// <summary>
/// Writes the narration of an open-vocabulary scene: first what the scene says, faithfully and in full (its subject,
/// action, objects, place and time), then detail that cannot contradict it: where the eye goes, light that matches
/// the stated time and weather (or neutral light when none is stated), and mood. Long scenes get one sentence per
/// clause instead of a verbatim restatement, so the paragraph stays within about 60 words.
/// </summary>
internal static class OpenNarrator
{
    /// <summary>The five voices: how the first sentence introduces the scene.</summary>
    public static readonly IReadOnlyList<string> Voices = ["plain", "shows", "captures", "photograph", "here"];

    /// <summary>A narration of <paramref name="scene"/> in voice <paramref name="voice"/> (an index into <see cref="Voices"/>).</summary>
    public static string Describe(OpenScene scene, int voice, Rng rng)
    {
        var sentences = scene.IsLong ? LongSentences(scene, voice, rng) : [Introduce(scene.Text, voice), Focus(scene.Clauses[0], rng)];
        if (OpenText.WordCount(string.Join(' ', sentences)) <= 44) sentences.Add(Light(scene, rng));
        if (OpenText.WordCount(string.Join(' ', sentences)) <= 36) sentences.Add(Mood(scene, rng));
        return string.Join(' ', sentences);
    }

    private static string Introduce(string text, int voice) => Voices[voice] switch
    {
        "plain" => OpenText.Capitalize(text) + ".",
        "shows" => $"This image shows {text}.",
        "captures" => $"The picture captures {text}.",
        "photograph" => $"In this photograph, we see {text}.",
        _ => $"Here is {text}.",
    };

    private static string Focus(Clause c, Rng rng)
    {
        var s = c.Subject.Text;
        if (c.Verb is not null && c.Object is { Category: NounCategory.Sport } sport)
            return rng.Pick(new[]
            {
                $"The {s} is caught in the middle of a game of {sport.Text}, fully absorbed in it.",
                $"All of the {s}'s attention is on the game of {sport.Text}.",
            });
        if (c.Verb is not null && c.Object is { } obj)
            return rng.Pick(new[]
            {
                $"The {s} is clearly focused on the {obj.Text}, which sits near the centre of the frame.",
                $"Both the {s} and the {obj.Text} are in sharp focus, while the background is softly blurred.",
                $"The {obj.Text} is close to the {s}, and it is plain what the {s} is doing with it.",
            });
        if (c.Verb is not null)
            return rng.Pick(new[]
            {
                $"The {s} is caught in the middle of {c.Verb.Ing}, sharply in focus against a softer background.",
                $"The {s} is the centre of attention, {c.Verb.Ing} while the rest of the scene stays still.",
            }) + (c.Place is { } p ? $" The {p.Text} around it sets the scene." : "");
        if (c.Object is { } thing && c.Relation == "with")
            return rng.Pick(new[]
            {
                $"The {thing.Text} draws the eye first, and the {s} is arranged around it.",
                $"The {s} is shown in full, with the {thing.Text} clearly visible.",
            });
        if (c.Object is { } near)
            return rng.Pick(new[]
            {
                $"The {s} is in sharp focus, and the {near.Text} is close by.",
                $"The {s} catches the eye first, with the {near.Text} just {c.Relation} it.",
            }) + (c.Place is { } room ? $" The {room.Text} around them is quiet." : "");
        if (c.Place is { } place)
            return rng.Pick(new[]
            {
                $"The {s} stands out clearly, and the {place.Text} frames it.",
                $"The {place.Text} surrounds the {s}, which sits near the centre of the picture.",
            });
        return $"The {s} fills most of the frame.";
    }

    private static List<string> LongSentences(OpenScene scene, int voice, Rng rng)
    {
        var first = scene.Clauses[0].Text + (scene.TimePhrase is { } t ? " " + t : "");
        var sentences = new List<string> { Introduce(first, voice) };
        var links = new[] { "Nearby", "Close by", "In the background", "Beside them", "In the foreground" };
        foreach (var c in scene.Clauses.Skip(1))
        {
            var link = rng.Pick(links);
            if (c.Verb is not null)
                sentences.Add($"{link}, {c.SubjectPhrase} is {c.Verb.Ing}{(c.ObjectPhrase is { } o ? (c.Verb.Transitive ? " " : " with ") + o : "")}.");
            else
                sentences.Add($"{link}, there is {c.SubjectPhrase}{(c.ObjectPhrase is { } o ? $" {c.Relation} {o}" : "")}.");
        }
        while (sentences.Count > 2 && OpenText.WordCount(string.Join(' ', sentences)) > 58) sentences.RemoveAt(sentences.Count - 1);
        return sentences;
    }

    private static string Light(OpenScene scene, Rng rng)
    {
        string[] options = (scene.Time, scene.Indoor) switch
        {
            (SceneTime.Dawn, false) => ["The first light of dawn is soft and pale, and the shadows are long and faint.", "The sky is pale pink with the dawn, and the air looks cool and still."],
            (SceneTime.Dawn, true) => ["Pale early light comes in through the window, and the room is still quiet."],
            (SceneTime.Morning, false) => ["Fresh morning light falls across the scene, and the colours look clean and clear."],
            (SceneTime.Morning, true) => ["Morning light fills the room through a nearby window."],
            (SceneTime.Noon, false) => ["Bright midday sun lights everything, and the shadows are short and sharp."],
            (SceneTime.Noon, true) => ["Bright daylight fills the room, and every detail is easy to see."],
            (SceneTime.Afternoon, false) => ["Warm afternoon light falls across the scene, and the colours look rich."],
            (SceneTime.Afternoon, true) => ["Warm afternoon light slants across the room."],
            (SceneTime.Sunset, false) => ["The low sun bathes everything in golden and orange tones.", "Warm golden light from the setting sun washes over everything."],
            (SceneTime.Sunset, true) => ["Golden light from the setting sun spills across the room."],
            (SceneTime.Dusk, false) => ["The sky has faded to a deep blue, and the colours look cool and quiet."],
            (SceneTime.Dusk, true) => ["Lamps glow softly as the light outside fades."],
            (SceneTime.Night, false) => ["It is dark, and a few warm lights pick out the details against the night.", "The sky above is black, and only a few pools of light stand out."],
            (SceneTime.Night, true) => ["Warm lamplight fills the room, and the windows are dark."],
            (SceneTime.Rain, false) => ["Rain falls steadily, and the wet surfaces shine in the gray light."],
            (SceneTime.Rain, true) => ["Rain streaks the windows, and the light inside is soft and gray."],
            (SceneTime.Snow, _) => ["Fresh snow covers the ground, and the light is soft, white and cold."],
            (SceneTime.Fog, _) => ["Fog hangs in the air, and shapes fade into gray further back."],
            (SceneTime.Overcast, _) => ["A flat gray sky hangs overhead, and the light is soft and even."],
            (_, true) => ["Soft light fills the room, and the colours look warm and calm."],
            _ => ["Soft natural light falls across the scene, and the colours look clear and calm.", "The light is even and gentle, and every detail is easy to see."],
        };
        return rng.Pick(options);
    }

    private static string Mood(OpenScene scene, Rng rng) =>
        rng.Pick(new[] { "The whole scene feels calm.", "It is a quiet, peaceful moment.", "The mood is lively and cheerful.", "It is an unusual sight, but a charming one.", "Everything about the moment feels relaxed." });
}
