namespace VisualNarrator.DatasetGen.Grammar.Types;

/// <summary>Time-and-weather contexts shared by the outdoor scene types.</summary>
internal static class Times
{
    public static Context Dawn(string scene = "at dawn") => new()
    {
        Key = "dawn", Scene = scene, Lights = [Light.Dawn], Time = TimeOfDay.Dawn,
        Adv = [scene, "at first light", "just after sunrise", "in the early morning"],
    };

    public static Context Morning(string scene = "in the morning") => new()
    {
        Key = "morning", Scene = scene, Lights = [Light.Day], Time = TimeOfDay.Morning,
        Adv = [scene, "on a clear morning", "in the bright morning light"],
    };

    public static Context Midday() => new()
    {
        Key = "midday", Scene = "at midday", Lights = [Light.Day], Time = TimeOfDay.Midday,
        Adv = ["at midday", "around noon", "under the midday sun"],
    };

    public static Context LateAfternoon() => new()
    {
        Key = "late-afternoon", Scene = "in the late afternoon", Lights = [Light.Golden], Time = TimeOfDay.Afternoon,
        Adv = ["in the late afternoon", "late in the afternoon", "in the late afternoon light"],
    };

    public static Context Sunset() => new()
    {
        Key = "sunset", Scene = "at sunset", Lights = [Light.Golden], Time = TimeOfDay.Sunset,
        Adv = ["at sunset", "as the sun goes down", "at the end of the day, as the sun sets"],
    };

    public static Context Dusk() => new()
    {
        Key = "dusk", Scene = "at dusk", Lights = [Light.Dusk], Time = TimeOfDay.Dusk,
        Adv = ["at dusk", "at twilight", "as dusk falls"],
    };

    public static Context Night(string scene = "at night") => new()
    {
        Key = "night", Scene = scene, Lights = [Light.Night], Time = TimeOfDay.Night,
        Adv = scene == "at night" ? [scene, "late at night", "after dark"] : [scene, "at night, under the stars", "on a clear night"],
    };

    public static Context Rain() => new()
    {
        Key = "rain", Scene = "in the rain", Lights = [Light.Rain], Time = TimeOfDay.Any,
        Adv = ["in the rain", "on a rainy day", "during a steady shower"],
    };

    public static Context Fog() => new()
    {
        Key = "fog", Scene = "on a foggy morning", Lights = [Light.Fog], Time = TimeOfDay.Morning,
        Adv = ["on a foggy morning", "in the morning fog", "on a misty morning"],
    };

    public static Context Snow() => new()
    {
        Key = "snow", Scene = "after a snowfall", Lights = [Light.Snow], Time = TimeOfDay.Any,
        Adv = ["after a snowfall", "on a snowy day", "under fresh snow"],
    };

    public static Context Overcast() => new()
    {
        Key = "overcast", Scene = "on an overcast day", Lights = [Light.Overcast], Time = TimeOfDay.Any,
        Adv = ["on an overcast day", "under a gray sky", "on a cloudy day"],
    };

    public static Context[] All() => [Dawn(), Morning(), Midday(), LateAfternoon(), Sunset(), Dusk(), Night(), Rain(), Fog(), Snow(), Overcast()];
}
