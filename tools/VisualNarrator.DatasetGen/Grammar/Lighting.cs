namespace VisualNarrator.DatasetGen.Grammar;

/// <summary>Light sentences shared by every scene type, the tone word of each light, and the words a description
/// in that light (or at that time of day) must not contain, so that no description contradicts its scene.</summary>
internal static class Lighting
{
    public static string[] Outdoor(Light light) => light switch
    {
        Light.Dawn =>
        [
            "The sky is {pale pink|a soft peach colour|streaked with pink and gold}, and the air looks {cool|fresh|clear} and still.",
            "The early light is {soft|pale|gentle} and {cool|golden}, and the shadows are long and faint.",
            "The first rays of the sun {touch|catch} {$the}, giving everything a {pale|soft} golden edge.",
        ],
        Light.Day =>
        [
            "{Bright|Clear|Strong} sunlight falls on {$the}, and the shadows are {sharp|crisp|dark} and {short|clean}.",
            "The sky is a {clear|deep|bright} blue{| with a few small white clouds}.",
            "Colours look {vivid|bright|crisp|clean} in the {clear|strong} daylight.",
        ],
        Light.Golden =>
        [
            "Warm golden light {spills over|washes over} {$the}, and the shadows are long and soft.",
            "The low sun {paints|bathes} everything in {amber|golden|orange} tones.",
            "The sky glows {orange and pink|a soft amber|with streaks of orange and violet}{| as the sun sinks lower}.",
        ],
        Light.Dusk =>
        [
            "The sky has faded to a {deep|soft|dusky} {blue|violet}, with a {thin|last|pale} band of {orange|pink|gold} low in the sky.",
            "Twilight {softens|blurs} the edges of everything, and the colours {look|turn} {cool|dim|quiet} and blue.",
        ],
        Light.Night =>
        [
            "The sky {above|overhead} is {dark|black|a deep navy}{|, and the air looks cool and still}.",
            "Most of the scene {sits|lies} in {deep|soft} shadow, and only a few {bright|warm|pale} patches of light stand out.",
        ],
        Light.Overcast =>
        [
            "A {flat|soft|pale} gray sky hangs overhead, and the light is {even|soft|gentle}, with almost no shadows.",
            "Thick clouds cover the sky, {giving|lending} everything {cool|soft|quiet} gray tones.",
        ],
        Light.Rain =>
        [
            "Rain {falls steadily|drizzles down} from a {gray|heavy|dark} sky, and {puddles|the wet surfaces} reflect the {pale|dim|soft} light.",
            "Everything looks {wet|glossy|shiny} from the rain{|, and small puddles have formed here and there}.",
        ],
        Light.Snow =>
        [
            "Fresh snow covers {the ground|every surface}, {soft|white|smooth} and {untouched|clean} in places.",
            "The light is {soft|pale|cold} and {white|silvery}, and the air looks {cold|crisp|chilly|icy}.",
        ],
        Light.Fog =>
        [
            "A {thick|thin|soft} fog {hangs over|drifts through} the scene, {hiding|softening} everything in the distance.",
            "Shapes fade into {white|gray|pale} mist further back, and the light is {soft|hazy|diffuse}.",
        ],
        Light.Artificial => Indoor(Light.Artificial),
        _ => throw new ArgumentOutOfRangeException(nameof(light), light, null),
    };

    public static string[] Indoor(Light light) => light switch
    {
        Light.Dawn =>
        [
            "The first {pale|soft} light of morning {comes|creeps} through the window, and the room is still {dim|quiet|cool}.",
        ],
        Light.Day =>
        [
            "{Soft|Bright|Clear} daylight {falls|streams|pours} through the window and {lands on|brightens|warms} the floor.",
            "The room is {bright|light|airy}, with sunlight {on|across} the walls.",
        ],
        Light.Golden =>
        [
            "Late afternoon sun slants through the window, leaving {warm|golden|long} stripes of light across the {floor|wall}.",
            "The light inside is {warm|golden|amber} and low, catching {dust in the air|the edges of the furniture}.",
        ],
        Light.Dusk =>
        [
            "Blue evening light fades at the window while {a single lamp glows|two lamps glow} {warmly|softly} inside.",
        ],
        Light.Night =>
        [
            "A warm lamp lights the room from one corner, leaving the edges {dim|in soft shadow|shadowy}.",
            "Soft yellow lamplight fills the room, and the windows are dark.",
        ],
        Light.Overcast =>
        [
            "Pale, even light comes through the window from a gray sky outside{|, and the room looks calm and cool}.",
        ],
        Light.Rain =>
        [
            "Rain {streaks|runs down} the window, and the light inside is {soft|gray|dim} and {calm|quiet}.",
            "Raindrops run down the glass, and the room feels {cozy|quiet|calm} against the gray day outside.",
        ],
        Light.Snow =>
        [
            "Through the window, {snowy rooftops|a snowy garden|falling snow} can be seen, and the light inside is {soft|pale} and {cool|white}.",
        ],
        Light.Fog =>
        [
            "Outside the window everything is lost in {white|gray} fog, and the light inside is {soft|pale|dim}.",
        ],
        Light.Artificial =>
        [
            "Bright overhead lights {flatten|soften} the shadows and give everything a {pale|cool|white} tone.",
            "The {bright|harsh|white} lights {reflect|shine} on the {polished|smooth|tiled} floor.",
        ],
        _ => throw new ArgumentOutOfRangeException(nameof(light), light, null),
    };

    /// <summary>A light adjective for mood sentences ("The {tone} light ...").</summary>
    public static string Tone(Light light, bool indoor) => light switch
    {
        Light.Dawn => "{soft|pale|cool}",
        Light.Day => indoor ? "{bright|clear|soft}" : "{bright|clear|sunny}",
        Light.Golden => "{warm|golden|amber}",
        Light.Dusk => indoor ? "{soft|warm|dim}" : "{dim|cool|dusky}",
        Light.Night => indoor ? "{warm|soft}" : "{dim|dark}",
        Light.Overcast => "{soft|gray|cool}",
        Light.Rain => "{gray|soft|dim}",
        Light.Snow => "{cold|pale|white}",
        Light.Fog => "{hazy|misty|pale}",
        Light.Artificial => "{bright|white|cool}",
        _ => throw new ArgumentOutOfRangeException(nameof(light), light, null),
    };

    /// <summary>Sky colour for templates that mention reflections of the sky.</summary>
    public static string Sky(Light light) => light switch
    {
        Light.Dawn => "{pale pink|pale}",
        Light.Day => "{clear blue|blue}",
        Light.Golden => "{orange|golden}",
        Light.Dusk => "{deep blue|violet}",
        Light.Night => "dark",
        Light.Overcast or Light.Rain => "gray",
        Light.Snow => "pale",
        Light.Fog => "white",
        _ => "pale",
    };

    private static readonly string[] TimeWords = ["dawn", "sunrise", "morning", "midday", "noon", "afternoon", "sunset", "evening", "dusk", "twilight", "night"];

    /// <summary>Words (lower-case PTB tokens) a description must not contain in this light at this time.</summary>
    public static HashSet<string> Forbidden(Light light, TimeOfDay time)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        string[] byLight = light switch
        {
            Light.Dawn => ["night", "moon", "moonlit", "starry", "stars", "sunset", "noon", "midday", "afternoon", "evening", "dusk", "twilight", "lamplight"],
            Light.Day => ["night", "moon", "moonlit", "starry", "stars", "dusk", "twilight", "dawn", "sunrise", "sunset", "evening", "lamplight"],
            Light.Golden => ["night", "moon", "moonlit", "starry", "stars", "dawn", "sunrise", "morning", "noon", "midday"],
            Light.Dusk => ["sunny", "sunlit", "sunshine", "sunlight", "noon", "midday", "dawn", "sunrise", "morning", "afternoon"],
            Light.Night => ["sunny", "sunlit", "sunshine", "sunlight", "daylight", "noon", "midday", "dawn", "sunrise", "sunset", "morning", "afternoon"],
            Light.Overcast => ["sunny", "sunlit", "sunshine", "sunlight", "starry", "moonlit", "night", "moon"],
            Light.Rain => ["sunny", "sunlit", "sunshine", "sunlight", "dry", "dusty", "starry", "moonlit", "night", "moon"],
            Light.Snow => ["rain", "rainy", "raindrops", "hot", "tropical", "summer", "dusty", "night", "sunny", "sunbathers"],
            Light.Fog => ["sunny", "sunlit", "sunshine", "sunlight", "starry", "moonlit", "night", "moon"],
            Light.Artificial => ["sunny", "sunlit", "sunshine", "sunlight", "daylight", "starry", "moonlit", "moon", "sky", "sun"],
            _ => [],
        };
        words.UnionWith(byLight);
        if (light != Light.Rain) words.UnionWith(["rain", "raindrops", "puddles", "drizzle"]);
        string[] allowed = time switch
        {
            TimeOfDay.Dawn => ["dawn", "sunrise", "morning"],
            TimeOfDay.Morning => ["morning"],
            TimeOfDay.Midday => ["midday", "noon"],
            TimeOfDay.Afternoon => ["afternoon"],
            TimeOfDay.Sunset => ["sunset", "evening"],
            TimeOfDay.Dusk => ["dusk", "twilight", "evening"],
            TimeOfDay.Evening => ["evening", "night"],
            TimeOfDay.Night => ["night"],
            _ => TimeWords,
        };
        words.UnionWith(TimeWords.Except(allowed));
        return words;
    }
}
