namespace VisualNarrator.DatasetGen.Grammar.Types;

internal static class Indoor
{
    private static Context Room(string key, string scene, Light[] lights, TimeOfDay time, params string[] adv) => new()
    {
        Key = key, Scene = scene, Lights = lights, Time = time, Indoor = true, Adv = [scene, .. adv],
    };

    public static SceneType Create() => new()
    {
        Name = "indoor",
        Props =
        [
            "a {small|tall|leafy} potted plant | stands in a corner",
            "a {woven|wicker} basket | sits on the floor",
            "a {ceramic|white|blue} mug | rests on a shelf",
        ],
        Subjects =
        [
            new()
            {
                Key = "kitchen", Scene = "a modern kitchen", Tags = ["home", "kitchen"],
                Nps = ["a modern kitchen", "a bright modern kitchen", "a sleek, modern kitchen"],
                Def = ["the kitchen", "the room"],
                Verbs = ["is clean and uncluttered", "opens onto a small dining area"],
                Clauses =
                [
                    "The counters are {smooth|polished} {white|gray|black} stone, and the cabinets are {pale wood|glossy white|matte gray}.",
                    "A {large|long} island with {tall|metal|wooden} stools sits in the middle of the room.",
                ],
                Props = ["a {ceramic|white|blue} bowl of {lemons|green apples|oranges} | sits on the counter", "a {copper|steel} kettle | rests on the stove", "a {small|green} pot of basil | grows on the windowsill"],
                Anchors = ["the sink", "the stove", "the window", "the island"],
                Moods = ["clean", "modern", "calm", "tidy", "fresh", "bright"],
            },
            new()
            {
                Key = "living-room", Scene = "a cozy living room", Tags = ["home", "living"],
                Nps = ["a cozy living room", "a warm, cozy living room", "a comfortable living room"],
                Def = ["the living room", "the room"],
                Verbs = ["is arranged around a low coffee table", "feels lived in"],
                Clauses =
                [
                    "A {deep|soft} {gray|green|blue|mustard} sofa is piled with {knitted|woven|patterned} cushions and a soft blanket.",
                    "A {woven|patterned|faded} rug covers the {wooden|polished} floor.",
                ],
                Props = ["a {striped|ginger|gray} cat | sleeps on an armchair", "a stack of books | sits on the coffee table", "a {tall|brass} floor lamp | stands"],
                Anchors = ["the sofa", "the coffee table", "the window", "an armchair"],
                Moods = ["cozy", "warm", "relaxed", "calm", "homely", "peaceful"],
            },
            new()
            {
                Key = "classroom", Scene = "a classroom", Tags = ["school"], Lights = [Light.Dawn, Light.Day, Light.Golden, Light.Overcast, Light.Rain, Light.Snow],
                Nps = ["a classroom", "a primary school classroom", "a bright classroom"],
                Def = ["the classroom", "the room"],
                Verbs = ["is laid out in neat rows", "is ready for the next lesson"],
                Clauses =
                [
                    "Rows of {small|wooden|light wooden} desks and {blue|orange|green} chairs face a large {green|black|white} board.",
                    "Children's drawings and {colorful|bright} paper shapes are pinned along the walls.",
                ],
                Props = ["a large globe | sits on the teacher's desk", "a pile of {colorful|worn} books | rests on a shelf", "a {red|green} apple | sits on a desk"],
                Anchors = ["the board", "the teacher's desk", "the window", "the bookshelf"],
                Moods = ["quiet", "tidy", "cheerful", "calm", "bright", "orderly"],
            },
            new()
            {
                Key = "library", Scene = "a library reading room", Tags = ["books"],
                Nps = ["a library reading room", "a quiet reading room in an old library", "a grand library reading room"],
                Def = ["the reading room", "the library", "the room"],
                Verbs = ["is lined with books from floor to ceiling", "is almost silent"],
                Clauses =
                [
                    "Tall {dark|polished} wooden shelves {packed|filled} with books rise toward a {high|curved|ornate} ceiling.",
                    "Long wooden tables with {green|brass|small} reading lamps run down the middle of the room.",
                ],
                Props = ["a student | reads at a long table", "a {rolling|wooden} ladder | leans against a shelf", "a pile of {old|leather-bound} books | sits on a table"],
                Anchors = ["the long table", "a tall bookshelf", "the window", "the reading lamps"],
                Moods = ["quiet", "calm", "peaceful", "grand", "elegant", "nostalgic"],
            },
            new()
            {
                Key = "office", Scene = "a home office", Tags = ["home", "work"],
                Nps = ["a home office", "a small home office", "a tidy home office"],
                Def = ["the office", "the room", "the study"],
                Verbs = ["is set up under the window", "is small but well organised"],
                Clauses =
                [
                    "A {wooden|white|simple} desk holds a laptop, a {ceramic|white} mug and a {neat|small} stack of papers.",
                    "A {comfortable|black|gray} office chair is pushed in under the desk.",
                ],
                Props = ["a {tall|metal|black} desk lamp | stands", "a {small|green} cactus | sits on the desk", "a {gray|wooden} filing cabinet | stands"],
                Anchors = ["the desk", "the bookshelf", "the window", "the chair"],
                Moods = ["calm", "tidy", "quiet", "focused", "cozy", "organised"],
            },
            new()
            {
                Key = "lobby", Scene = "a hotel lobby", Tags = ["public", "grand"],
                Nps = ["a hotel lobby", "a grand hotel lobby", "an elegant hotel lobby"],
                Def = ["the lobby", "the hall"],
                Verbs = ["opens up under a high ceiling", "is spacious and quiet"],
                Clauses =
                [
                    "The floor is {polished|gleaming|smooth} marble in {cream|white} and {black|gray}.",
                    "A {large|glittering|crystal} chandelier hangs from the high ceiling.",
                ],
                Props = ["a {velvet|leather} armchair | stands", "a {tall|large} vase of {white|fresh} flowers | sits on a table", "a {brass|polished} luggage cart | waits"],
                Anchors = ["the reception desk", "the main entrance", "a marble column", "the staircase"],
                Moods = ["elegant", "grand", "calm", "quiet", "polished", "luxurious"],
            },
            new()
            {
                Key = "attic-bedroom", Scene = "an attic bedroom", Tags = ["home", "bedroom"],
                Nps = ["an attic bedroom", "a small attic bedroom", "a bedroom under a sloping roof"],
                Def = ["the bedroom", "the room"],
                Verbs = ["sits under a sloping ceiling", "is small and cozy"],
                Clauses =
                [
                    "A {neat|low|wooden} bed with {white|soft|pale} sheets and a {knitted|patchwork|woolly} blanket fills one side of the room.",
                    "The ceiling slopes down on one side, with {dark|pale|old} wooden beams across it.",
                ],
                Props = ["a {small|round} rug | lies on the floor", "a {wooden|painted} chair | stands", "a {small|bedside} lamp | sits on a table"],
                Anchors = ["the bed", "the small window", "a chest of drawers", "the door"],
                Moods = ["cozy", "quiet", "calm", "peaceful", "warm", "snug"],
            },
            new()
            {
                Key = "studio", Scene = "an artist's studio", Tags = ["work", "art"],
                Nps = ["an artist's studio", "a small painting studio", "a busy art studio"],
                Def = ["the studio", "the room"],
                Verbs = ["is full of paints and canvases", "is messy but full of colour"],
                Clauses =
                [
                    "Canvases in {bright|bold|soft} colours lean against the walls, some finished and some {half painted|blank}.",
                    "A wooden easel holds a painting of {a harbour|a field|a vase of flowers|a stormy sea}.",
                ],
                Props = ["a jar of {paintbrushes|brushes} | sits on a table", "a {paint-splattered|stained} stool | stands", "a {wooden|battered} palette | rests on a chair"],
                Anchors = ["the easel", "the window", "a long worktable", "a stack of canvases"],
                Moods = ["messy", "lively", "cheerful", "creative", "colorful", "cluttered"],
            },
            new()
            {
                Key = "cafe-interior", Scene = "a small cafe interior", Tags = ["public", "cafe"],
                Nps = ["the inside of a small cafe", "a small cafe interior", "a cozy cafe interior"],
                Def = ["the cafe", "the room"],
                Verbs = ["is warm and half full", "is arranged with small tables"],
                Clauses =
                [
                    "Small round tables with {wooden|metal|marble} tops are spread across the room.",
                    "Behind the counter, a {shiny|silver|chrome} coffee machine sits among {stacked cups|rows of cups|glass jars}.",
                ],
                Props = ["a customer | reads by the window", "a {glass|tall} jar of biscuits | sits on the counter", "a {small|green} fern | hangs from the ceiling"],
                Anchors = ["the counter", "the window", "the door", "a small table"],
                Moods = ["cozy", "warm", "relaxed", "friendly", "calm", "lively"],
            },
            new()
            {
                Key = "gallery", Scene = "a museum gallery", Tags = ["public", "grand", "gallery"],
                Nps = ["a museum gallery", "a quiet museum gallery", "a long gallery in a museum"],
                Def = ["the gallery", "the room", "the hall"],
                Verbs = ["stretches away in a long, quiet hall", "is almost empty"],
                Clauses =
                [
                    "Large paintings in {heavy|gilded|ornate} frames hang along the {pale|white} walls.",
                    "The floor is {polished|pale|smooth} wood, and a {long|low} bench sits in the middle of the room.",
                ],
                Props = ["a {marble|white} sculpture | stands on a plinth", "a visitor in a {$cloth} coat | studies a painting", "a {velvet|red} rope | hangs between two posts"],
                Anchors = ["the doorway", "the long bench", "the largest painting"],
                Moods = ["quiet", "calm", "elegant", "grand", "still", "serene"],
            },
        ],
        Features =
        [
            new()
            {
                Key = "fireplace", Scene = "with a fireplace", Fits = ["living", "bedroom", "books", "lobby", "cafe"],
                With = ["with a stone fireplace", "with a fireplace", "with an old stone fireplace"],
                Finite = ["{s:has|have} a stone fireplace along one wall", "{s:is|are} arranged around an old fireplace"],
                Clauses = ["A fire crackles in the fireplace, throwing {warm|orange|flickering} light across the floor.", "The fireplace is built of {rough|old|gray} stone, with a {wooden|dark} mantel above it."],
                Anchors = ["the fireplace", "the mantel"],
            },
            new()
            {
                Key = "windows", Scene = "with large windows", Fits = ["kitchen", "living", "school", "books", "work", "public"],
                With = ["with large windows", "with tall windows", "with floor-to-ceiling windows"],
                Finite = ["{s:has|have} large windows along one wall", "{s:is|are} lit by tall windows"],
                Clauses = ["[!dark] Tall windows take up most of one wall, letting in plenty of light.", "[dark] The large windows are dark, reflecting the room back like a mirror.", "The window frames are {white|black|dark wooden} and {thin|slim|simple}."],
                Anchors = ["the tall windows"],
            },
            new()
            {
                Key = "plants", Scene = "with potted plants", Fits = ["kitchen", "living", "work", "cafe", "lobby", "school"],
                With = ["with potted plants", "full of potted plants", "filled with green plants"],
                Finite = ["{s:is|are} filled with potted plants", "{s:is|are} full of green plants"],
                Clauses = ["Plants in {terracotta|ceramic|white|woven} pots crowd the {windowsill|shelves|corners}{|, their leaves a deep, glossy green}.", "A {large|tall|leafy} fern and a {trailing|small} ivy add {soft|fresh} green to the room."],
                Anchors = ["a large fern"],
            },
            new()
            {
                Key = "bookshelves", Scene = "with tall bookshelves", Fits = ["living", "work", "school", "bedroom", "cafe", "art"],
                With = ["with tall bookshelves", "lined with bookshelves"],
                Finite = ["{s:is|are} lined with tall bookshelves"],
                Clauses = ["Tall {wooden|white|dark} bookshelves reach almost to the ceiling, {packed|crowded} with books in {faded|bright|many} colours.", "The shelves are crammed with books, {small|pale|ceramic} ornaments and a few framed photographs."],
                Anchors = ["the tallest bookshelf"],
            },
            new()
            {
                Key = "dining-table", Scene = "with a wooden dining table", Fits = ["kitchen", "living", "cafe"],
                With = ["with a long wooden dining table", "with a wooden table at {s:its|their} centre"],
                Finite = ["{s:has|have} a long wooden dining table in the middle"],
                Clauses = ["A long {oak|pine|dark wooden} table with {mismatched|simple|wooden} chairs fills the middle of the room.", "The table is {scrubbed|polished|worn} wood, {smooth|pale} from years of use."],
                Anchors = ["the dining table", "the end of the table"],
            },
            new()
            {
                Key = "brick-walls", Scene = "with exposed brick walls", Fits = ["kitchen", "living", "work", "cafe", "art"],
                With = ["with exposed brick walls", "with bare brick walls"],
                Finite = ["{s:has|have} exposed brick walls"],
                Clauses = ["The walls are bare {red|old|rough} brick, {uneven|worn} and {warm|dark} in colour.", "The old brick walls are rough to the eye, with {pale|gray|white} mortar between the bricks."],
                Anchors = ["the brick wall"],
            },
            new()
            {
                Key = "hanging-lamps", Scene = "with hanging lamps", Fits = ["kitchen", "cafe", "books", "work", "art"],
                With = ["with hanging lamps", "with pendant lamps"],
                Finite = ["{s:has|have} lamps hanging low from the ceiling"],
                Clauses = ["[dark] Several {round|glass|metal} lamps hang low from the ceiling, each casting a {warm|soft} circle of light.", "[!dark] {Round|Glass|Black metal} lamps hang low on long cords from the ceiling.", "The lamps have {brass|copper|black} shades shaped like {bells|domes}."],
                Anchors = ["the hanging lamps"],
            },
            new()
            {
                Key = "piano", Scene = "with a piano", Fits = ["living", "lobby", "school", "cafe"],
                With = ["with an upright piano", "with a piano in the corner"],
                Finite = ["{s:has|have} an old piano in one corner"],
                Clauses = ["An {old|upright|black|polished} piano stands against the wall, its lid {closed|open}.", "The piano is {dark|glossy|black} wood, with {yellowed|ivory|white} keys and a small stool in front."],
                Anchors = ["the piano"],
            },
            new()
            {
                Key = "students", Scene = "with students at their desks", Fits = ["school", "books"], Lights = [Light.Day, Light.Golden, Light.Overcast, Light.Rain, Light.Snow],
                With = ["with students at their desks", "full of students working"],
                Finite = ["{s:is|are} full of students working at their desks"],
                Clauses = ["Students bend over their {books|notebooks|worksheets}, some writing and some looking up.", "A few students whisper to each other while the rest work quietly."],
                Anchors = ["the front row"],
            },
        ],
        Contexts =
        [
            Room("morning", "in the morning", [Light.Day], TimeOfDay.Morning, "early in the morning", "on a bright morning"),
            Room("midday", "at midday", [Light.Day], TimeOfDay.Midday, "around noon"),
            Room("afternoon", "in the afternoon sun", [Light.Golden], TimeOfDay.Afternoon, "in the late afternoon", "on a sunny afternoon"),
            Room("evening", "in the evening", [Light.Dusk, Light.Night], TimeOfDay.Evening, "one evening", "as evening falls"),
            Room("night", "at night", [Light.Night], TimeOfDay.Night, "late at night", "after dark"),
            Room("rain", "on a rainy day", [Light.Rain], TimeOfDay.Any, "while it rains outside", "on a wet, rainy day"),
            Room("snow", "on a snowy day", [Light.Snow], TimeOfDay.Any, "while snow falls outside", "on a cold, snowy day"),
            Room("gray", "on a gray afternoon", [Light.Overcast], TimeOfDay.Afternoon, "on a cloudy afternoon", "on a dull, gray afternoon"),
            Room("dawn", "at dawn", [Light.Dawn], TimeOfDay.Dawn, "at first light", "just after sunrise"),
        ],
    };
}
