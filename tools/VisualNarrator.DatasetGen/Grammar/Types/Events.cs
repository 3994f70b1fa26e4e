namespace VisualNarrator.DatasetGen.Grammar.Types;

internal static class Events
{
    private static readonly Light[] Outdoor = [Light.Dawn, Light.Day, Light.Golden, Light.Dusk, Light.Night, Light.Overcast, Light.Rain];

    public static SceneType Create() => new()
    {
        Name = "sports-events",
        LightClauses =
        [
            "[night,out] Lamps around the edges make bright points in the darkness.",
            "[dusk,out] Lights are coming on around the edges as the sky darkens to a deep blue.",
        ],
        Subjects =
        [
            new()
            {
                Key = "football", Scene = "a football match", Tags = ["sport", "outdoor", "field", "stadium"], Lights = Outdoor,
                Nps = ["a football match", "a soccer game", "an amateur football match"],
                Def = ["the match", "the game", "the pitch"],
                Verbs = ["is in full swing", "fills the wide frame"],
                Clauses =
                [
                    "Players in {red|blue|white|yellow} and {white|black|green|navy} shirts chase the ball across the {green|bright|muddy} pitch.",
                    "The pitch is marked with {crisp|fresh|bright} white lines, a little worn in front of the goal.",
                ],
                Props = ["a goalkeeper in a {bright green|yellow|black} shirt | crouches", "a referee in black | runs", "a {white|black and white} ball | rolls"],
                Anchors = ["the goal", "the touchline", "the centre circle", "the corner flag"],
                Moods = ["energetic", "tense", "lively", "exciting", "dramatic", "competitive"],
            },
            new()
            {
                Key = "basketball", Scene = "a basketball game", Tags = ["sport", "indoor", "court"], Lights = [Light.Artificial],
                Nps = ["a basketball game", "an indoor basketball game", "a fast basketball game"],
                Def = ["the game", "the court"],
                Verbs = ["is moving fast", "fills the frame from side to side"],
                Clauses =
                [
                    "Players in {red|white|blue|orange} jerseys jump for a rebound near the hoop.",
                    "The court is {polished|glossy|smooth} wooden boards with {bright|painted} lines.",
                ],
                Props = ["a coach in a {$cloth} shirt | shouts from the sideline", "an orange ball | spins in the air", "a row of substitutes | sits"],
                Anchors = ["the hoop", "the sideline", "the team bench"],
                Moods = ["energetic", "tense", "fast", "exciting", "loud", "competitive"],
            },
            new()
            {
                Key = "marathon", Scene = "a marathon", Tags = ["sport", "outdoor", "road", "race"], Lights = [Light.Dawn, Light.Day, Light.Golden, Light.Overcast, Light.Rain, Light.Fog],
                Nps = ["a marathon", "a city marathon", "a long-distance road race"],
                Def = ["the race", "the marathon"],
                Verbs = ["streams down the road", "fills the street from side to side"],
                Clauses =
                [
                    "Runners in {bright|colorful|neon} shirts stream down the road in a long, uneven line.",
                    "Spectators line the route behind {metal|low} barriers, clapping and cheering.",
                ],
                Props = ["a water station with {paper|plastic} cups | stands", "a runner in a {$cloth} vest | waves", "a volunteer in a {yellow|orange} vest | hands out water"],
                Anchors = ["the barriers", "the curb", "the water station"],
                Moods = ["energetic", "determined", "lively", "cheerful", "festive"],
            },
            new()
            {
                Key = "tennis", Scene = "a tennis match", Tags = ["sport", "outdoor", "court"], Lights = [Light.Day, Light.Golden, Light.Overcast, Light.Night],
                Nps = ["a tennis match", "a close tennis match", "a game of tennis"],
                Def = ["the match", "the court"],
                Verbs = ["is at a tense moment", "fills the court"],
                Clauses =
                [
                    "A player in {white|pale blue|light} clothes stretches for a {low|fast|high} ball near the baseline.",
                    "The court is {green|red clay|blue}, with a {taut|white} net across the middle.",
                ],
                Props = ["a ball boy | crouches by the net", "an umpire | sits in a tall chair", "a {yellow|bright} tennis ball | bounces"],
                Anchors = ["the net", "the baseline", "the umpire's chair"],
                Moods = ["tense", "focused", "elegant", "competitive", "dramatic"],
            },
            new()
            {
                Key = "concert", Scene = "an outdoor concert", Tags = ["event", "outdoor", "crowd", "stage", "music"], Lights = [Light.Golden, Light.Dusk, Light.Night, Light.Rain],
                Nps = ["an outdoor concert", "a concert in the open air", "a big open-air concert"],
                Def = ["the concert", "the stage"],
                Verbs = ["is in full swing", "draws everyone toward the stage"],
                Clauses =
                [
                    "A {large|wide} stage glows at the far end, framed by lights and tall speakers.",
                    "Musicians with guitars and drums perform under {bright|colored|blue and purple} stage lights.",
                ],
                Props = ["a crowd of fans | sways", "a tall speaker stack | stands", "a sound desk | sits under a tent"],
                Anchors = ["the stage", "the barrier", "the sound desk"],
                Moods = ["lively", "exciting", "joyful", "festive", "energetic", "loud"],
            },
            new()
            {
                Key = "festival", Scene = "a street festival", Tags = ["event", "outdoor", "crowd", "celebration"], Lights = Outdoor,
                Nps = ["a street festival", "a lively street festival", "a summer street festival"],
                Def = ["the festival", "the street"],
                Verbs = ["fills the whole street", "spills out between the buildings"],
                Clauses =
                [
                    "{Colorful|Bright} bunting and paper lanterns hang {between the buildings|across the street}.",
                    "Food stalls and {small|striped} tents line both sides of the street.",
                ],
                Props = ["a food stall | sends up smoke", "a juggler in a {$cloth} hat | performs", "a child on a parent's shoulders | watches"],
                Anchors = ["a food stall", "a striped tent", "the lantern strings"],
                Moods = ["festive", "cheerful", "lively", "joyful", "colorful", "busy"],
            },
            new()
            {
                Key = "wedding", Scene = "a wedding reception", Tags = ["event", "celebration", "party"],
                Nps = ["a wedding reception", "a wedding party", "an elegant wedding reception"],
                Def = ["the reception", "the party"],
                Verbs = ["is under way", "[in] fills the room with movement"],
                Clauses =
                [
                    "Long tables are set with {white|linen|cream} tablecloths, glass candles and small {white|pink} flowers.",
                    "The bride in a {white|ivory|lace} dress laughs with guests near the dance floor.",
                ],
                Props = ["a tall wedding cake | stands on a table", "a waiter with a tray of glasses | passes", "a small band | plays in the corner"],
                Anchors = ["the head table", "the dance floor", "the cake table"],
                Moods = ["romantic", "joyful", "elegant", "festive", "warm", "happy"],
            },
            new()
            {
                Key = "graduation", Scene = "a graduation ceremony", Tags = ["event", "ceremony"], Lights = [Light.Day, Light.Golden, Light.Overcast, Light.Artificial],
                Nps = ["a graduation ceremony", "a university graduation ceremony", "a school graduation"],
                Def = ["the ceremony"],
                Verbs = ["is taking place", "fills the frame with rows of graduates"],
                Clauses =
                [
                    "Rows of graduates in {black|navy|dark blue} gowns and square caps sit facing a small stage.",
                    "Proud families {watch|clap|take photos} from the seats behind the graduates.",
                ],
                Props = ["a graduate | crosses the stage", "a row of folding chairs | stands", "a {large|tall} vase of flowers | stands by the stage"],
                Anchors = ["the stage", "the podium", "the front row"],
                Moods = ["proud", "joyful", "festive", "happy", "formal"],
            },
            new()
            {
                Key = "birthday", Scene = "a birthday party", Tags = ["event", "celebration", "party"],
                Nps = ["a birthday party", "a children's birthday party", "a lively birthday party"],
                Def = ["the party"],
                Verbs = ["is in full swing", "[in] fills the room"],
                Clauses =
                [
                    "{Colorful|Bright} balloons in {red|yellow|blue|pink} and {green|purple|orange} are tied to the backs of the chairs.",
                    "A cake with {lit|tall|thin} candles sits in the middle of the table.",
                ],
                Props = ["a pile of wrapped presents | sits", "a child in a paper crown | laughs", "a bowl of sweets | sits on the table"],
                Anchors = ["the table", "the cake", "[in] the window", "[out] the garden gate"],
                Moods = ["cheerful", "joyful", "festive", "playful", "happy", "lively"],
            },
            new()
            {
                Key = "fireworks", Scene = "a fireworks display", Tags = ["event", "outdoor", "crowd"], Lights = [Light.Night, Light.Dusk],
                Nps = ["a fireworks display", "a big fireworks display", "a fireworks show"],
                Def = ["the display", "the fireworks"],
                Verbs = ["lights up the sky", "fills the upper half of the frame"],
                Clauses =
                [
                    "Bursts of {gold|red|green|silver} and {white|blue|pink} sparks fill the {dark|black} sky.",
                    "Smoke drifts between the bursts, lit from inside by the flashes.",
                ],
                Props = ["a crowd of people | watches", "a child on a parent's shoulders | points upward", "a {tall|old} tree | stands in silhouette"],
                Anchors = ["the crowd", "the skyline", "the riverbank"],
                Moods = ["spectacular", "festive", "dramatic", "magical", "joyful"],
            },
            new()
            {
                Key = "cycling", Scene = "a cycling race", Tags = ["sport", "outdoor", "road", "race"], Lights = [Light.Day, Light.Golden, Light.Overcast, Light.Rain],
                Nps = ["a cycling race", "a road cycling race", "a fast cycling race"],
                Def = ["the race", "the riders"],
                Verbs = ["sweeps through the frame", "speeds along the road"],
                Clauses =
                [
                    "A tight group of riders in {bright|colorful|neon} jerseys leans into a bend.",
                    "The bicycles are {sleek|light|carbon} and {black|white|red}, and the riders wear {white|black|colorful} helmets.",
                ],
                Props = ["a team car | follows the riders", "a motorbike with a camera | rides alongside", "a spectator with a {$c} flag | runs"],
                Anchors = ["the barriers", "the bend", "the roadside"],
                Moods = ["fast", "energetic", "tense", "exciting", "determined"],
            },
            new()
            {
                Key = "track", Scene = "a track and field meet", Tags = ["sport", "outdoor", "stadium", "race"], Lights = [Light.Day, Light.Golden, Light.Overcast, Light.Night],
                Nps = ["a track and field meet", "an athletics meet", "a track and field event"],
                Def = ["the meet", "the track"],
                Verbs = ["is under way", "fills the stadium"],
                Clauses =
                [
                    "Athletes in {bright|red|blue} vests sprint along a {red|rust-red|orange} running track marked with white lanes.",
                    "On the infield, a high jumper arches over the bar.",
                ],
                Props = ["a judge with a flag | stands", "a row of starting blocks | sits", "a stack of hurdles | stands"],
                Anchors = ["the finish line", "the infield", "the stands"],
                Moods = ["energetic", "tense", "focused", "exciting", "competitive"],
            },
        ],
        Features =
        [
            new()
            {
                Key = "fans", Scene = "with cheering fans", Fits = ["sport"],
                With = ["with cheering fans", "in front of cheering fans"],
                Finite = ["{s:is|are} watched by cheering fans"],
                Clauses = ["Fans in the stands wave scarves and flags and cheer as the play unfolds.", "The crowd is on its feet, arms raised, shouting and clapping."],
                Props = ["a fan in a {$cloth} scarf | shouts"],
            },
            new()
            {
                Key = "stadium", Scene = "in a packed stadium", Fits = ["stadium", "concert"], Places = ["out"],
                With = ["in a packed stadium", "in a full stadium"],
                Finite = ["{s:takes|take} place in a packed stadium"],
                Clauses = ["The stands rise steeply on every side, packed with {thousands of|a sea of} people.", "Every seat in the stadium seems to be taken."],
                Anchors = ["the stands"],
            },
            new()
            {
                Key = "flags", Scene = "with colorful flags", Fits = ["festival", "marathon", "cycling", "football", "concert"],
                With = ["with colorful flags", "decorated with colorful flags"],
                Finite = ["{s:is|are} decorated with colorful flags"],
                Clauses = ["Strings of small flags in {red|yellow|blue|green} and {white|orange|purple} flutter overhead.", "Flags of every colour wave above the heads of the crowd."],
            },
            new()
            {
                Key = "string-lights", Scene = "under string lights", Fits = ["wedding", "birthday", "festival", "concert"], Lights = [Light.Golden, Light.Dusk, Light.Night],
                With = ["under string lights", "beneath strings of lights"],
                Finite = ["{s:takes|take} place under strings of lights"],
                Clauses = ["Strings of {small|round|warm white} bulbs zigzag overhead, glowing softly.", "The string lights make little points of {warm|golden|yellow} light against the dark."],
            },
            new()
            {
                Key = "brass-band", Scene = "with a brass band", Fits = ["festival", "graduation", "wedding", "marathon"],
                With = ["with a brass band", "with a brass band playing"],
                Finite = ["{s:has|have} a brass band playing"],
                Clauses = ["A small brass band in {red|navy|white} jackets plays trumpets and tubas, their instruments shining.", "The band's {brass|golden|polished} instruments gleam as they play."],
                Anchors = ["the band"],
            },
            new()
            {
                Key = "dancing", Scene = "with people dancing", Fits = ["wedding", "birthday", "festival", "concert"],
                With = ["with people dancing", "with a crowd dancing"],
                Finite = ["{s:is|are} full of people dancing"],
                Clauses = ["People dance {in pairs|in a loose circle|close to the stage}, laughing and spinning.", "Dancers move in a happy blur, arms in the air."],
            },
            new()
            {
                Key = "confetti", Scene = "with confetti in the air", Fits = ["wedding", "graduation", "birthday", "festival", "concert"],
                With = ["with confetti in the air", "with confetti falling"],
                Finite = ["{s:is|are} showered with confetti"],
                Clauses = ["Flakes of {gold|white|pink|multicolored} confetti drift through the air.", "Confetti has settled on shoulders, hair and the ground."],
            },
            new()
            {
                Key = "crowd", Scene = "with a big crowd", Fits = ["concert", "festival", "fireworks", "race", "football", "graduation"],
                With = ["with a big crowd", "with a huge crowd"],
                Finite = ["{s:draws|draw} a huge crowd"],
                Clauses = ["A {dense|huge|large} crowd fills the space right up to the barriers.", "People stand shoulder to shoulder, many holding up phones to take pictures."],
            },
            new()
            {
                Key = "finish", Scene = "at the finish line", Fits = ["race"],
                With = ["at the finish line", "near the finish line"],
                Finite = ["{s:reaches|reach} {s:its|their} finish line"],
                Clauses = ["A {red|blue|white} arch marks the finish line, and the leading athlete raises both arms.", "Officials stand by the finish line, watching the leaders come in."],
                Anchors = ["the finish arch"],
            },
        ],
        Contexts =
        [
            new() { Key = "afternoon", Scene = "on a sunny afternoon", Lights = [Light.Day], Time = TimeOfDay.Afternoon, Adv = ["on a sunny afternoon", "on a bright afternoon", "in the afternoon sun"] },
            new() { Key = "evening", Scene = "in the evening", Lights = [Light.Dusk, Light.Golden], Time = TimeOfDay.Evening, Adv = ["in the evening", "one evening", "early in the evening"] },
            Times.Night(), Times.Rain(), Times.Sunset(), Times.Overcast(),
            new()
            {
                Key = "hall", Scene = "in a large hall", Lights = [Light.Artificial], Indoor = true, Fits = ["indoor", "party", "ceremony"],
                Adv = ["in a large hall", "inside a large hall", "in a big indoor hall"],
                Clauses = ["The hall has a {high|tall} ceiling with rows of lights, and the walls are {pale|white|wooden}.", "Tall windows line one side of the hall."],
            },
            new()
            {
                Key = "floodlights", Scene = "under floodlights", Lights = [Light.Night], Time = TimeOfDay.Night, Fits = ["field", "court", "stadium"],
                Adv = ["under floodlights", "under bright floodlights", "at night under floodlights"],
                Clauses = ["{Bright|Powerful|White} floodlights throw a {hard|harsh|clean} light over everything, and the sky beyond is black.", "Each player casts several faint shadows under the ring of floodlights."],
            },
            new()
            {
                Key = "garden", Scene = "in a garden", Lights = [Light.Day, Light.Golden, Light.Overcast], Fits = ["party"],
                Adv = ["in a garden", "in a large garden", "on a garden lawn"],
                Clauses = ["The lawn is green and neat, with {flower beds|tall hedges|rose bushes} around the edges.", "Tables stand on the grass under the trees."],
                Props = ["a {white|wooden} garden chair | stands", "a {tall|flowering} rose bush | grows"],
                Anchors = ["the hedge", "a flower bed", "a tall tree"],
            },
        ],
    };
}
