namespace VisualNarrator.DatasetGen.Grammar;

/// <summary>
/// A writing voice: its own opening frames, sentences about objects and their places, light and mood sentences,
/// and sentence orders (plans). Body slots: F feature detail, S subject detail, C context (place) detail, P an
/// object and where it is, L light, M mood. Test references of one scene are written in different voices.
/// </summary>
internal sealed class Voice
{
    public required string Name { get; init; }
    public required string[] Openings { get; init; }
    public required string[] PropFrames { get; init; }
    public string[] LightFrames { get; init; } = [];
    public required string[] MoodFrames { get; init; }
    public required string[] Plans { get; init; }

    public static readonly string Relations =
        "{to the left of|to the right of|behind|in front of|next to|beside|near|just beyond|across from|not far from|a few steps from}";

    public static readonly string Positions =
        "{in the foreground|in the background|on the left|on the right|at the centre of the frame|in the middle distance|further back|closer to the camera|along the left edge of the frame|on the right side of the picture}";

    private static readonly string[] CommonProps =
    [
        "{$P1} {$P1v} {$rel} {$A1}.",
        "There {$P1be} {$P1} {$rel} {$A1}.",
        "{$pos}, {$P1} {$P1v}.",
        "{$rel} {$A1}, {$P1} {$P1v}.",
        "{$pos}, {$P1} {$P1v}, while {$P2} {$P2v} {$rel} {$A1}.",
        "{$P1} {$P1v} {$pos}, and {$P2} {$P2v} {$rel} {$A1}.",
    ];

    public static readonly Voice[] All =
    [
        new()
        {
            Name = "plain",
            Openings =
            [
                "{$S} {$Fin} {$Adv}.",
                "{$Adv}, {$S} {$Fin}.",
                "The {image|picture|photo} shows {$S} {$With} {$Adv}.",
            ],
            PropFrames = CommonProps,
            MoodFrames =
            [
                "The {mood|atmosphere} is {$m1} and {$m2}.",
                "It all feels {$m1} and {$m2}.",
                "The {$tone} light gives the scene a {$m1}, {$m2} {feel|mood}.",
            ],
            Plans = ["FPLM", "SPLM", "FSPM", "CFPM", "FPM", "PFL", "FPSL"],
        },
        new()
        {
            Name = "photographer",
            Openings =
            [
                "The photograph {captures|frames} {$S} {$With} {$Adv}.",
                "This {shot|frame|photo} is {built|composed} around {$S} {$With}, {seen|photographed} {$Adv}.",
                "{A wide|A close|A low|A medium} shot {shows|captures} {$S} {$With} {$Adv}.",
            ],
            PropFrames =
            [
                "In the foreground, {$P1} {$P1v}{|, while {$P2} {$P2v} {$rel} {$A1}}.",
                "{In the background|Further back|In the middle distance}, {$P1} {$P1v} {$rel} {$A1}.",
                "Closer to the camera, {$P1} {$P1v} {$rel} {$A1}.",
            ],
            LightFrames =
            [
                "The {$tone} light {suits|flatters} {$the}{| and brings out the textures}.",
            ],
            MoodFrames =
            [
                "The {composition|frame|picture} feels {$m1} and {$m2}.",
                "The result is a {$m1}, {$m2} {image|picture}.",
            ],
            Plans = ["PLFM", "PPLM", "FPL", "LPSM", "PFLM", "SPLM"],
        },
        new()
        {
            Name = "storyteller",
            Openings =
            [
                "There is a {$m1} {feeling|quality|mood} to this picture of {$S} {$With} {$Adv}.",
                "{$Adv}, {$S} {$Fin}, and everything feels {$m1}.",
                "It is a {$m1} {moment|scene}: {$S} {$Fin} {$Adv}.",
            ],
            PropFrames =
            [
                "{$rel} {$A1}, {$P1} {$P1v}.",
                "{Nearby|Close by|Not far away}, {$P1} {$P1v}{|, and {$P2} {$P2v} {$rel} {$A1}}.",
                "{$P1} {$P1v} {$rel} {$A1}, {almost unnoticed|quietly|half hidden}.",
            ],
            MoodFrames =
            [
                "It is the kind of {scene|place|moment} that feels {$m2} and {$m3} at the same time.",
                "Everything here feels {$m2}, and a little {$m3}.",
            ],
            Plans = ["FLPM", "LFPM", "SPLM", "CPFM", "FPM", "PLF"],
        },
        new()
        {
            Name = "concise",
            Openings =
            [
                "{$S} {$Fin}, {$Adv}.",
                "{$S} {$With}, {$Adv}.",
                "{$S} {$Verb} {$Adv}. {$FC}",
            ],
            PropFrames =
            [
                "{$P1} {$P1v} {$rel} {$A1}.",
                "{$pos}, {$P1}.",
                "{$P1} {$P1v} {$pos}.",
                "There {$P1be} {$P1} {$rel} {$A1}.",
            ],
            MoodFrames =
            [
                "The mood is {$m1} and {$m2}.",
                "It looks {$m1}.",
                "The scene feels {$m1}.",
            ],
            Plans = ["FPPLM", "SFPM", "PSLM", "FCPL", "FPLM", "SPPM"],
        },
        new()
        {
            Name = "guide",
            Openings =
            [
                "In this {picture|image|photo}, {you can see|we see} {$S} {$With} {$Adv}.",
                "Looking at this {image|picture}, the first thing you notice is {$S} {$With}, {seen|shown} {$Adv}.",
                "Here you can see {$S} {$With} {$Adv}.",
            ],
            PropFrames =
            [
                "If you look {$rel} {$A1}, you can {also |}see {$P1}.",
                "{$pos}, you can see {$P1}{|, and there {$P2be} {$P2} {$rel} {$A1}}.",
                "{$P1} {$P1v} {$rel} {$A1}, which is easy to miss at first.",
            ],
            MoodFrames =
            [
                "Overall, the {picture|image} feels {$m1} and {$m2}.",
                "The whole scene {has|gives off} a {$m1}, {$m2} {feel|atmosphere}.",
            ],
            Plans = ["PFLM", "SPFM", "FPL", "CPLM", "FPSM", "PLSM"],
        },
    ];
}
