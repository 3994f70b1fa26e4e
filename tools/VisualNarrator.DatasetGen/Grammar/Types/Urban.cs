namespace VisualNarrator.DatasetGen.Grammar.Types;

internal static class Urban
{
    public static SceneType Create() => new()
    {
        Name = "urban",
        Props =
        [
            "a {$c} bicycle | is parked",
            "a {wooden|green metal|weathered wooden} bench | stands",
            "[!dark,!rain,!snow] a few gray pigeons | peck at the pavement",
            "[!dark] a woman in a {$cloth} coat | waits",
            "[!dark] a man with a {$cloth} backpack | stands",
            "a {$c} scooter | is parked",
            "a {$c} delivery van | waits at the curb",
            "[dark] a lit shop window | glows",
            "[dark] a couple | walks arm in arm",
            "[rain] people with {black|colorful|bright} umbrellas | hurry along",
            "[snow] a line of footprints | crosses the snow",
            "a {green|gray|black} metal bin | stands",
            "[!snow] a row of potted trees | lines the pavement",
        ],
        LightClauses =
        [
            "[dusk] The first lights are coming on in the windows, and the rooftops turn {dark|black} against the sky.",
            "[night] {Yellow|Warm|Amber} light from the street lamps {pools|spreads} on the {pavement|ground}, and many windows are still lit.",
            "[night] Lit windows and {glowing|bright} lamps {dot|scatter light across} the dark facades.",
            "[rain] The {wet|shiny} pavement {reflects|mirrors} the {pale|gray} sky and the {dark|tall} outlines of the buildings.",
            "[fog] The tops of the buildings {fade|disappear} into the fog{|, and the street lamps are soft smudges of light}.",
            "[golden] The upper floors of the buildings {glow|catch the light} while the street below is already in shade.",
        ],
        Subjects =
        [
            new()
            {
                Key = "busy-street", Scene = "a busy city street", Tags = ["street", "busy"],
                Nps = ["a busy city street", "a crowded street in the city centre", "a busy downtown street"],
                Def = ["the street", "the busy street"],
                Verbs = ["stretches into the distance", "runs straight through the frame", "is full of movement"],
                Clauses =
                [
                    "[!dark] Cars and buses move in both directions, and people {crowd|fill} the {wide|busy} pavements.",
                    "[dark] Headlights and tail lights {streak|move} along the road, and the pavements are still {busy|crowded}.",
                    "The road is {smooth gray|dark} asphalt marked with {white|faded white} lines.",
                ],
                Props = ["[!dark] a crowd of shoppers | moves along the pavement", "a {yellow|white|black} taxi | waits at the curb", "a {red|green|blue} bus | pulls away from the stop"],
                Anchors = ["the crosswalk", "the curb", "the traffic lights", "a corner shop"],
                Moods = ["busy", "lively", "energetic", "chaotic", "urban", "crowded"],
            },
            new()
            {
                Key = "side-street", Scene = "a quiet side street", Tags = ["street", "quiet"],
                Nps = ["a quiet side street", "a narrow, quiet street away from the traffic", "a calm little side street"],
                Def = ["the street", "the side street", "the lane"],
                Verbs = ["curves gently away from the camera", "runs between low buildings", "is almost empty"],
                Clauses =
                [
                    "The {cobblestones|paving stones} are {worn|smooth|uneven} and {gray|brown}.",
                    "Small houses with {$c} doors and {white|cream|pale} walls line both sides.",
                    "[!snow] Window boxes with {red|pink|purple} flowers hang below some of the windows.",
                ],
                Props = ["[!rain] a {ginger|black|gray|white} cat | sits on a doorstep", "a {$c} bicycle | leans by a door"],
                Anchors = ["a {green|blue|red} door", "the doorway", "a low wall"],
                Moods = ["quiet", "calm", "peaceful", "charming", "nostalgic", "still"],
            },
            new()
            {
                Key = "town-square", Scene = "a historic town square", Tags = ["square", "old"],
                Nps = ["a historic town square", "an old town square", "a historic square in the old town"],
                Def = ["the square", "the old square"],
                Verbs = ["opens up in front of the camera", "spreads out beneath old facades"],
                Clauses =
                [
                    "{Old|Historic} buildings with {ornate|decorative|tall} windows and {stone|pale stone} facades surround it.",
                    "The ground is paved with {large|worn|smooth} {stone slabs|cobblestones} in {gray|beige} and {brown|cream}.",
                ],
                Props = ["[!dark] a group of tourists | stands together", "a {stone|bronze} statue | rises on a plinth", "[!dark,!rain] a flock of pigeons | gathers"],
                Anchors = ["a cafe terrace", "the church steps", "the old clock tower", "the town hall"],
                Moods = ["elegant", "historic", "charming", "lively", "picturesque", "grand"],
            },
            new()
            {
                Key = "alley", Scene = "a narrow alley", Tags = ["alley", "quiet"],
                Nps = ["a narrow alley", "a narrow lane between tall buildings", "a tight little alley"],
                Def = ["the alley", "the lane", "the narrow alley"],
                Verbs = ["leads away between tall walls", "squeezes between two old buildings"],
                Clauses =
                [
                    "The walls on both sides are {rough|old|weathered} {brick|plaster|stone}{|, with patches of peeling paint}.",
                    "Pipes and {metal|iron} balconies run along the walls above head height.",
                ],
                Props = ["a {dented|green metal|gray} bin | stands against the wall", "[!rain] a {ginger|gray|black} cat | slips along the wall", "[dark] a single lamp | glows above a door"],
                Anchors = ["a back door", "a drainpipe", "a stack of crates"],
                Moods = ["quiet", "mysterious", "narrow", "rustic", "nostalgic", "[dark,fog] eerie", "[!sun] gloomy"],
            },
            new()
            {
                Key = "intersection", Scene = "a downtown intersection", Tags = ["street", "busy"],
                Nps = ["a busy downtown intersection", "a large crossroads in the city centre", "a wide intersection downtown"],
                Def = ["the intersection", "the crossroads", "the junction"],
                Verbs = ["spreads out across the frame", "sits at the heart of the picture"],
                Clauses =
                [
                    "{White|Bright white} crosswalk stripes cross the road in every direction.",
                    "Traffic lights hang above the lanes, and cars wait in {neat|long} rows.",
                ],
                Props = ["[!dark] a crowd of people | waits at the crossing", "a {$c} car | turns the corner", "a cyclist in a {$cloth} jacket | waits at the lights"],
                Anchors = ["the traffic lights", "the crosswalk", "a corner building", "the curb"],
                Moods = ["busy", "chaotic", "energetic", "lively", "modern", "urban"],
            },
            new()
            {
                Key = "promenade", Scene = "a riverside promenade", Tags = ["river", "walkway"],
                Nps = ["a riverside promenade", "a wide walkway along the river", "a promenade beside the river"],
                Def = ["the promenade", "the walkway", "the riverside path"],
                Verbs = ["follows the curve of the river", "runs along the water's edge"],
                Clauses =
                [
                    "The river is {calm|slow|wide} and {gray-green|dark green|silver}, reflecting the buildings on the far bank.",
                    "A {low|iron|stone} railing separates the path from the water.",
                ],
                Props = ["[!dark,!rain,!snow] a jogger in a {$cloth} shirt | runs past", "a {wooden|metal} bench | faces the water", "[!dark] two friends | lean on the railing", "a {small|white} boat | is moored"],
                Anchors = ["the railing", "the river wall", "a row of trees", "the old bridge"],
                Moods = ["peaceful", "relaxed", "calm", "romantic", "serene", "open"],
            },
            new()
            {
                Key = "rooftop", Scene = "a rooftop terrace overlooking the city", Tags = ["rooftop"],
                Nps = ["a rooftop terrace overlooking the city", "a terrace high above the city", "a city rooftop terrace with a view"],
                Def = ["the terrace", "the rooftop", "the roof terrace"],
                Verbs = ["looks out over the skyline", "sits high above the streets"],
                Clauses =
                [
                    "Beyond the railing, the city spreads out in a {dense|vast|wide} pattern of rooftops.",
                    "The floor is {smooth wooden|weathered wooden|gray stone} decking{|, with planters along the edge}.",
                ],
                Props = ["[!snow] a few {potted|small} olive trees | stand in planters", "two {$c} deck chairs | face the view", "[dark,!rain] a string of lights | hangs", "[!rain,!snow] a small table with two glasses | stands"],
                Anchors = ["the glass railing", "the edge of the roof", "a large planter", "a chimney"],
                Moods = ["relaxed", "calm", "romantic", "elegant", "open", "peaceful"],
            },
            new()
            {
                Key = "market-street", Scene = "an old market street", Tags = ["street", "market", "busy"],
                Nps = ["an old market street", "a narrow street full of market stalls", "a busy old market lane"],
                Def = ["the market street", "the street", "the lane"],
                Verbs = ["winds between the stalls", "is packed from one end to the other"],
                Clauses =
                [
                    "Stalls with {striped|red and white|green} awnings crowd the edges of the street.",
                    "Crates of fruit and vegetables are stacked in {colorful|bright|tidy} piles.",
                ],
                Props = ["[!dark] a vendor in a {$cloth} apron | stands behind a stall", "a pile of {red|green|ripe} apples | sits in a crate", "[!dark] shoppers with woven baskets | drift between the stalls"],
                Anchors = ["a fruit stall", "a stack of crates", "the nearest awning"],
                Moods = ["lively", "busy", "colorful", "cheerful", "festive", "chaotic"],
            },
            new()
            {
                Key = "plaza", Scene = "a modern plaza", Tags = ["square", "modern"],
                Nps = ["a modern plaza", "a wide modern square", "an open plaza between office towers"],
                Def = ["the plaza", "the square"],
                Verbs = ["opens up between the buildings", "stretches wide and flat across the frame"],
                Clauses =
                [
                    "The ground is {smooth|polished|pale} {concrete|stone} laid in large, clean squares.",
                    "Glass and steel buildings {frame|surround} the open space on three sides.",
                ],
                Props = ["an abstract {metal|steel|bronze} sculpture | stands", "[!dark] office workers | cross the square", "a row of {young|slender} trees | grows in square planters"],
                Anchors = ["the glass entrance", "a long bench", "the wide steps"],
                Moods = ["modern", "clean", "calm", "open", "elegant", "busy"],
            },
            new()
            {
                Key = "residential", Scene = "a residential street", Tags = ["street", "quiet", "residential"],
                Nps = ["a residential street", "a quiet residential road", "a leafy street of family houses"],
                Def = ["the street", "the road"],
                Verbs = ["curves gently out of sight", "runs past a row of houses"],
                Clauses =
                [
                    "Neat houses with {small|tidy} front gardens and {white|cream|pale blue} fences line the road.",
                    "[!snow] Tall trees along the pavement form a {green|leafy} canopy over the road.",
                    "[snow] Bare trees along the pavement hold thin lines of snow on their branches.",
                ],
                Props = ["a {$c} car | is parked in a driveway", "[!dark,!rain,!snow] a child on a {$c} bicycle | rides past", "a {$c} mailbox | stands by the gate", "[!dark] a man | walks a small dog"],
                Anchors = ["a garden gate", "a hedge", "the front steps", "a tall tree"],
                Moods = ["quiet", "peaceful", "calm", "friendly", "tidy", "residential"],
            },
            new()
            {
                Key = "historic-building", Scene = "a historic building", Tags = ["building", "old"],
                Nps = ["a historic building", "an old stone building", "a grand historic building"],
                Def = ["the building", "the old building", "the facade"],
                Verbs = ["stands at the centre of the frame", "rises above the street"],
                Clauses =
                [
                    "Its facade is {carved|decorated} with {columns|arches|stone figures} and {tall|arched|narrow} windows.",
                    "The stone is {pale|honey-coloured|gray} and {weathered|worn|darkened} by age.",
                ],
                Props = ["[!dark] a few visitors | climb the front steps", "a {tall|black} iron lamp | stands"],
                Anchors = ["the main entrance", "the front steps", "a stone column"],
                Moods = ["grand", "historic", "majestic", "elegant", "old", "dignified"],
            },
        ],
        Features =
        [
            new()
            {
                Key = "skyscrapers", Scene = "with skyscrapers", Fits = ["busy-street", "intersection", "plaza", "rooftop", "promenade", "historic-building"],
                With = ["with tall skyscrapers", "surrounded by glass skyscrapers", "beneath a row of skyscrapers"],
                Finite = ["{s:is|are} framed by tall skyscrapers", "{s:sits|sit} beneath a cluster of skyscrapers"],
                Clauses =
                [
                    "[!dark,!fog] {Tall|Towering} glass skyscrapers rise {behind|above} {$the}, their windows {reflecting|mirroring} the {$sky} sky.",
                    "[dark] Lights glow in {hundreds of|countless|many} windows of the {tall|towering} skyscrapers {behind|above} {$the}.",
                    "[fog] The tops of the skyscrapers {disappear|vanish} into the fog above {$the}.",
                    "The skyscrapers are {sleek|modern|towering} towers of glass and steel, much taller than everything around them.",
                ],
                Anchors = ["the base of a skyscraper", "a glass tower"],
            },
            new()
            {
                Key = "brick", Scene = "with red brick buildings", Fits = ["street", "square", "alley", "market", "rooftop"],
                With = ["lined with red brick buildings", "with old red brick buildings", "between rows of red brick buildings"],
                Finite = ["{s:is|are} lined with red brick buildings", "{s:is|are} surrounded by old red brick buildings"],
                Clauses =
                [
                    "The red brick {facades|walls} are {weathered|worn|rough} and {dark|faded} in places, with {white|cream} window frames.",
                    "Rows of {red|rust-red|dark red} brick buildings, three or four storeys high, {line the edges|stand close together}.",
                ],
                Anchors = ["a brick archway", "a brick wall"],
            },
            new()
            {
                Key = "cafes", Scene = "lined with cafes", Fits = ["busy-street", "side-street", "square", "promenade"],
                With = ["lined with small cafes", "with cafes along both sides", "full of little cafes"],
                Finite = ["{s:is|are} lined with small cafes", "{s:is|are} full of little cafes"],
                Clauses =
                [
                    "Cafe tables with {$c} chairs spill out onto the pavement{|, under {striped|cream|green} awnings}.",
                    "[!dark,!rain,!snow] People sit at small round tables in front of the cafes, {drinking coffee|chatting|reading}.",
                    "[dark] The cafes glow with {warm|yellow|soft} light, and a few people still sit at the tables outside.",
                ],
                Props = ["[!rain,!snow] a waiter in a {white|black} apron | carries a tray", "a {small|round} {metal|marble} table | stands", "[sun] a {striped|green|cream} umbrella | shades a table"],
                Anchors = ["a cafe entrance", "the cafe tables", "an awning"],
            },
            new()
            {
                Key = "bicycles", Scene = "with parked bicycles", Fits = ["street", "alley", "square", "promenade"],
                With = ["with bicycles parked along the railings", "with rows of parked bicycles", "with parked bicycles"],
                Finite = ["{s:is|are} dotted with parked bicycles", "{s:has|have} rows of bicycles parked along {s:its|their} edges"],
                Clauses =
                [
                    "Bicycles in {red|blue|black|green|yellow} and {white|silver|orange} lean against a long metal rack.",
                    "A row of bicycles stands in a long metal rack, their {baskets|bells|frames} {catching the light|shining}.",
                ],
                Props = ["a {$c} bicycle with a {wicker|woven} basket | leans against a post"],
                Anchors = ["the bicycle rack"],
            },
            new()
            {
                Key = "lamps", Scene = "with old street lamps", Fits = ["street", "alley", "square", "promenade"],
                With = ["with old iron street lamps", "with a row of old street lamps"],
                Finite = ["{s:is|are} lined with old iron street lamps"],
                Clauses =
                [
                    "[dark,fog] The old lamps give off a {warm|soft|yellow|amber} glow that pools on the ground beneath them.",
                    "[!dark] The old street lamps are {black|dark green} iron, with {curved|ornate|decorative} arms and glass lanterns.",
                ],
                Anchors = ["the nearest lamp post", "a lamp post"],
            },
            new()
            {
                Key = "fountain", Scene = "with a stone fountain", Fits = ["square"],
                With = ["with a stone fountain", "with an old stone fountain at {s:its|their} centre"],
                Finite = ["{s:is|are} built around a {round|large|old} stone fountain", "{s:has|have} a stone fountain at {s:its|their} centre"],
                Clauses =
                [
                    "[!snow] Water {splashes|spills|sprays} from the {round|old|weathered} stone fountain into a wide basin.",
                    "[snow] The stone fountain is still, its basin rimmed with ice and snow.",
                    "The fountain is {carved|made} from {pale|gray|weathered} stone, worn smooth by years of water.",
                ],
                Anchors = ["the fountain", "the edge of the fountain"],
            },
            new()
            {
                Key = "market-stalls", Scene = "with market stalls", Fits = ["square", "busy-street", "side-street", "promenade"],
                With = ["with rows of market stalls", "filled with market stalls"],
                Finite = ["{s:is|are} filled with market stalls", "{s:is|are} crowded with market stalls"],
                Clauses =
                [
                    "The stalls have {striped|red and white|green|blue} awnings and tables piled with {fruit|vegetables|flowers|bread}.",
                    "[!dark] Vendors call out to shoppers as they weigh {apples|tomatoes|cheese|olives} on small scales.",
                ],
                Props = ["[!dark] a vendor | arranges a pile of {oranges|apples|tomatoes}"],
                Anchors = ["the nearest stall", "a flower stall"],
            },
            new()
            {
                Key = "tram", Scene = "with a tram line", Fits = ["busy-street", "intersection", "promenade", "square"],
                With = ["with tram tracks running through {s:it|them}", "with a tram passing through"],
                Finite = ["{s:has|have} tram tracks running through {s:it|them}", "{s:is|are} crossed by a tram line"],
                Clauses =
                [
                    "A {red|yellow|blue and white|green} tram glides along the tracks{| toward the camera}.",
                    "Overhead wires for the tram cross the sky in thin black lines.",
                ],
                Anchors = ["the tram stop", "the tram tracks"],
            },
            new()
            {
                Key = "murals", Scene = "with colorful murals", Fits = ["alley", "side-street", "plaza", "residential"],
                With = ["with colorful murals on the walls", "covered in colorful murals"],
                Finite = ["{s:is|are} decorated with colorful murals", "{s:has|have} walls covered in colorful murals"],
                Clauses =
                [
                    "The murals show {large flowers|birds and leaves|swirling patterns|waves and fish} in {bright|bold|vivid} {blue|orange|pink|yellow} and {teal|purple|red}.",
                    "Paint in {vivid|bright|bold} colours covers the walls from the pavement almost to the roofline.",
                ],
                Anchors = ["a painted wall", "the largest mural"],
            },
            new()
            {
                Key = "flower-balconies", Scene = "with flower boxes on the balconies", Fits = ["side-street", "town-square", "residential", "alley", "market", "historic-building"],
                Lights = [Light.Dawn, Light.Day, Light.Golden, Light.Dusk, Light.Night, Light.Overcast, Light.Rain, Light.Fog],
                With = ["with flower boxes on the balconies", "with balconies full of flowers"],
                Finite = ["{s:has|have} balconies full of flowers", "{s:is|are} decorated with flower boxes on every balcony"],
                Clauses =
                [
                    "{Red|Pink|Purple} and {white|orange} flowers spill over the edges of small {iron|wooden} balconies.",
                    "Flower boxes of {bright|red|pink} geraniums hang from {nearly every|almost every} balcony.",
                ],
            },
            new()
            {
                Key = "taxis", Scene = "with yellow taxis", Fits = ["busy-street", "intersection"],
                With = ["with yellow taxis", "full of yellow taxis"],
                Finite = ["{s:is|are} crowded with yellow taxis", "{s:is|are} full of yellow taxis"],
                Clauses =
                [
                    "Bright yellow taxis {line up|wait in a row|crowd the lanes}{|, their roofs shiny}.",
                    "[dark] The headlights of yellow taxis {sweep|glide} along the road in a steady stream.",
                ],
                Anchors = ["a taxi rank"],
            },
        ],
        Contexts = Times.All(),
    };
}
