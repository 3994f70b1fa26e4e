namespace VisualNarrator.DatasetGen.Grammar.Types;

internal static class People
{
    public static SceneType Create() => new()
    {
        Name = "people",
        Subjects =
        [
            new()
            {
                Key = "old-man", Scene = "an elderly man", Tags = ["single", "adult"], Pron = "he", Poss = "his", Obj = "him",
                Nps = ["an elderly man", "an old man with white hair", "a gray-haired older man"],
                Def = ["the man", "the old man"],
                Clauses =
                [
                    "He wears a {$cloth} {cardigan|wool coat|flannel shirt} and {round|thin|wire-rimmed} glasses.",
                    "His face is {lined|weathered|wrinkled} and {calm|gentle|thoughtful}, and his white hair is neatly combed.",
                ],
                Moods = ["peaceful", "calm", "quiet", "nostalgic", "gentle", "content"],
            },
            new()
            {
                Key = "young-woman", Scene = "a young woman", Tags = ["single", "adult"], Pron = "she", Poss = "her", Obj = "her",
                Nps = ["a young woman", "a young woman with dark curly hair", "a woman in her twenties"],
                Def = ["the woman", "the young woman"],
                Clauses =
                [
                    "She wears a {$cloth} {sweater|jacket|dress|scarf} and small {silver|gold} earrings.",
                    "Her {long|dark|curly|short} hair is {tied back loosely|tucked behind her ears|pushed away from her face}.",
                ],
                Moods = ["relaxed", "calm", "cheerful", "happy", "focused", "content"],
            },
            new()
            {
                Key = "couple", Scene = "an elderly couple", Tags = ["pair", "adult"], Plural = true, Pron = "they", Poss = "their", Obj = "them",
                Nps = ["an elderly couple", "an old couple", "a retired couple"],
                Def = ["the couple", "the pair"],
                Clauses =
                [
                    "They wear {matching|warm|soft} {$cloth} coats and {knitted|woolly} scarves.",
                    "They sit close together, shoulders touching, and both are smiling.",
                ],
                Moods = ["warm", "gentle", "happy", "peaceful", "romantic", "tender"],
            },
            new()
            {
                Key = "friends", Scene = "a group of friends", Tags = ["group", "adult"], Plural = true, Pron = "they", Poss = "their", Obj = "them",
                Nps = ["a group of friends", "a group of young friends", "a small group of friends"],
                Def = ["the friends", "the group"],
                Clauses =
                [
                    "They lean in toward each other, {talking|smiling|laughing} easily.",
                    "Their clothes are casual and {bright|colorful}, with {$cloth} jackets, jeans and white trainers.",
                ],
                Moods = ["cheerful", "joyful", "lively", "happy", "friendly", "relaxed"],
            },
            new()
            {
                Key = "musician", Scene = "a street musician", Tags = ["single", "adult", "performer"], Pron = "the musician", Poss = "their", Obj = "them",
                Nps = ["a street musician", "a busker", "a young street musician"],
                Def = ["the musician", "the busker"],
                Clauses =
                [
                    "The musician wears a {$cloth} {hat|jacket|scarf} and {worn|scuffed|old} boots.",
                    "An open {black|battered|velvet-lined} instrument case lies on the ground, with a few coins inside.",
                ],
                Moods = ["lively", "cheerful", "relaxed", "friendly", "joyful", "playful"],
            },
            new()
            {
                Key = "family", Scene = "a family", Tags = ["group", "family"], Plural = true, Pron = "they", Poss = "their", Obj = "them",
                Nps = ["a family", "a young family", "a family of four"],
                Def = ["the family"],
                Clauses =
                [
                    "The parents sit close to two {small|young} children, one of them in a {$cloth} sweater.",
                    "Everyone is dressed in {casual|warm|bright} clothes, in shades of {blue|red|green} and {white|yellow|gray}.",
                ],
                Moods = ["warm", "happy", "joyful", "relaxed", "cheerful", "loving"],
            },
            new()
            {
                Key = "children", Scene = "two children", Tags = ["pair", "kids"], Plural = true, Pron = "they", Poss = "their", Obj = "them",
                Nps = ["two children", "a pair of young children", "two small kids"],
                Def = ["the children", "the kids"],
                Clauses =
                [
                    "One wears a {$cloth} {raincoat|sweater|t-shirt}, the other a {$cloth} {jacket|dress|hoodie}.",
                    "Their cheeks are {pink|rosy|flushed}, and their hair is {messy|tousled|windswept}.",
                ],
                Moods = ["playful", "joyful", "happy", "cheerful", "lively", "energetic"],
            },
            new()
            {
                Key = "student", Scene = "a student", Tags = ["single", "young"], Pron = "the student", Poss = "their", Obj = "them",
                Nps = ["a student", "a university student", "a young student"],
                Def = ["the student"],
                Clauses =
                [
                    "The student wears a {$cloth} hoodie and has a {canvas|leather|{$c}} bag slung over one shoulder.",
                    "A {thick|battered|spiral} notebook and a pen lie close at hand.",
                ],
                Moods = ["focused", "calm", "quiet", "relaxed", "thoughtful", "curious"],
            },
            new()
            {
                Key = "man-suit", Scene = "a man in a dark suit", Tags = ["single", "adult"], Pron = "he", Poss = "his", Obj = "him",
                Nps = ["a man in a dark suit", "a businessman in a dark suit", "a man in a smart, dark suit"],
                Def = ["the man", "the businessman"],
                Clauses =
                [
                    "His suit is {navy|charcoal|black} and {neatly pressed|well cut}, with a {$cloth} tie loosened at the collar.",
                    "He has a {leather|black|brown} briefcase at his side and a watch on his wrist.",
                ],
                Moods = ["focused", "calm", "tired", "thoughtful", "quiet", "serious"],
            },
        ],
        Features =
        [
            new()
            {
                Key = "reading", Scene = "reading a book", Fits = ["single"], Places = ["seat", "in"],
                With = ["reading a book", "reading a {worn|thick|small} book"],
                Finite = ["{s:reads|read} a {worn|thick|small} book", "{s:is|are} reading a {paperback|book}"],
                Clauses = ["{$pron} {s:holds|hold} the book open in both hands, absorbed in the pages.", "The book has a {faded|cracked|bright} {$c} cover, and a ribbon marks the page."],
                Props = ["a {$c} bookmark | lies on the seat"],
            },
            new()
            {
                Key = "meal", Scene = "sharing a meal", Fits = ["pair", "group", "family"], Places = ["table"],
                With = ["sharing a meal", "eating together"],
                Finite = ["{s:shares|share} a meal", "{s:eats|eat} together"],
                Clauses = ["Plates of {pasta|bread|salad|grilled vegetables} and {glasses of water|a jug of lemonade|cups of tea} cover the table between them.", "Hands reach across the table, passing {bread|dishes|a bowl of salad}."],
                Props = ["a {woven|wicker} bread basket | sits on the table", "a jug of water | stands on the table"],
            },
            new()
            {
                Key = "dog", Scene = "walking a dog", Fits = ["single", "couple", "family"], Places = ["walk"],
                With = ["walking a dog", "walking a {small|scruffy|brown|golden} dog"],
                Finite = ["{s:walks|walk} a {small|brown|fluffy} dog on a {red|blue|leather} lead"],
                Clauses = ["The dog trots alongside, its tail up and its ears bouncing.", "The dog pulls ahead on its lead, nose to the ground."],
            },
            new()
            {
                Key = "laughing", Scene = "laughing together", Fits = ["pair", "group", "family"],
                With = ["laughing together", "sharing a laugh"],
                Finite = ["laugh together", "share a laugh"],
                Clauses = ["Their faces are {bright|open|crinkled} with laughter, and their shoulders are relaxed.", "Someone has just told a joke, and everyone is laughing at once."],
            },
            new()
            {
                Key = "chess", Scene = "playing chess", Fits = ["couple", "friends", "children", "old-man"], Places = ["seat", "in"],
                With = ["playing chess", "playing a game of chess"],
                Finite = ["{s:plays|play} chess", "{s:is|are} deep in a game of chess"],
                Clauses = ["The {wooden|black and white|worn} chess pieces stand on a {checkered|small} board.", "A hand hovers over the board, about to move a {white|black} knight."],
                Props = ["a {wooden|small} chessboard | rests on a table"],
            },
            new()
            {
                Key = "guitar", Scene = "playing a guitar", Fits = ["young-woman", "musician", "student", "friends", "old-man"],
                With = ["playing a guitar", "strumming an acoustic guitar"],
                Finite = ["{s:plays|play} an acoustic guitar", "{s:strums|strum} a guitar"],
                Clauses = ["The guitar is {worn|honey-coloured|dark|glossy} wood, scratched near the strings.", "Fingers move along the neck of the guitar, pressing the strings."],
            },
            new()
            {
                Key = "coffee", Scene = "drinking coffee", Fits = ["single", "pair", "friends"], Places = ["seat", "table"],
                With = ["drinking coffee", "with cups of coffee"],
                Finite = ["{s:sips|sip} coffee", "{s:drinks|drink} coffee from {s:a {white|ceramic|blue} cup|{white|ceramic|blue} cups}"],
                Clauses = ["Steam rises gently from the coffee, and the cup is held in both hands.", "A {small|white} saucer and a spoon sit beside the coffee."],
                Props = ["a {small|white} plate with a croissant | sits"],
            },
            new()
            {
                Key = "kite", Scene = "flying a kite", Fits = ["children", "family", "friends"], Places = ["open"], Lights = [Light.Day, Light.Golden, Light.Overcast],
                With = ["flying a kite", "flying a {$c} kite"],
                Finite = ["{s:flies|fly} a {$c} kite"],
                Clauses = ["The kite dances high above, its long tail fluttering in the wind.", "The kite string runs up from their hands into the {bright|open|wide} sky."],
            },
            new()
            {
                Key = "picnic", Scene = "having a picnic", Fits = ["family", "friends", "couple"], Places = ["open"], Lights = [Light.Day, Light.Golden],
                With = ["having a picnic", "enjoying a picnic"],
                Finite = ["{s:has|have} a picnic", "{s:is|are} enjoying a picnic"],
                Clauses = ["A {checkered|red and white|blue} blanket is spread out, covered with {sandwiches|fruit|bread and cheese} and a thermos.", "A wicker basket stands open at the corner of the blanket."],
                Props = ["a wicker picnic basket | sits on the blanket"],
            },
            new()
            {
                Key = "photos", Scene = "taking photographs", Fits = ["single", "couple", "friends"], Places = ["walk", "open", "out"],
                With = ["taking photographs", "taking photos with a camera"],
                Finite = ["{s:takes|take} photographs with a {black|small|old} camera"],
                Clauses = ["The camera is raised to one eye, ready to take a picture.", "The camera strap is wrapped around one wrist, and the lens points toward something out of frame."],
            },
        ],
        Contexts =
        [
            new()
            {
                Key = "park", Scene = "in a sunny park", Lights = [Light.Day], Tags = ["open", "walk", "park"],
                Adv = ["in a sunny park", "on the grass in a sunny park", "in a city park on a sunny day"],
                Clauses = ["The park is green and open, with {tall|leafy} trees and neat paths.", "Sunlight falls through the leaves and leaves {dappled|soft} patches on the grass."],
                Props = ["a {wooden|green} bench | stands by the path", "[!snow] a {tall|leafy} oak tree | shades the lawn", "a jogger in a {$cloth} shirt | runs along the path", "a few pigeons | peck at the grass"],
                Anchors = ["the path", "a tall tree", "the lawn", "a flower bed"],
                Moods = ["cheerful", "relaxed"],
            },
            new()
            {
                Key = "bench", Scene = "on a park bench in the morning", Lights = [Light.Day, Light.Dawn], Time = TimeOfDay.Morning, Tags = ["seat", "park"],
                Adv = ["on a park bench in the morning", "on a bench in the park one morning", "on a park bench early in the morning"],
                Clauses = ["The bench is {green|weathered|old} wood, {worn smooth|faded} by years of use.", "Behind the bench, a path curves away between {trimmed|tall} hedges."],
                Props = ["a {$c} bicycle | leans against a tree", "a {small|brown} sparrow | hops on the path", "a {green|black} lamp post | stands"],
                Anchors = ["the bench", "the path", "a hedge"],
                Moods = ["peaceful", "quiet"],
            },
            new()
            {
                Key = "cafe", Scene = "in a cozy cafe", Lights = [Light.Day, Light.Golden, Light.Rain, Light.Night], Indoor = true, Tags = ["seat", "table", "cafe"],
                Adv = ["in a cozy cafe", "inside a small, cozy cafe", "at a table in a cozy cafe"],
                Clauses = ["The cafe has {wooden|marble} tables, {mismatched|simple} chairs and a long counter at the back.", "Behind {$obj}, a {shiny|chrome|silver} coffee machine sits on the counter among rows of cups."],
                Props = ["a {small|green} plant | hangs in the window", "a waiter in a {black|white} apron | stands at the counter", "a glass jar of biscuits | sits on the counter"],
                Anchors = ["the counter", "the window", "the door"],
                Moods = ["cozy", "warm"],
            },
            new()
            {
                Key = "beach", Scene = "on a beach at sunset", Lights = [Light.Golden], Time = TimeOfDay.Sunset, Tags = ["open", "walk", "beach"],
                Adv = ["on a beach at sunset", "on the sand as the sun sets", "on a wide beach at sunset"],
                Clauses = ["The sea behind {$obj} is calm and {silver|gold|orange}, and small waves roll onto the sand.", "The sun sits low over the water, and the sand is {golden|warm|soft}."],
                Props = ["a {striped|blue} towel | lies on the sand", "a few seagulls | stand at the water's edge", "a line of footprints | crosses the sand"],
                Anchors = ["the water's edge", "a driftwood log", "the dunes"],
                Moods = ["romantic", "peaceful"],
            },
            new()
            {
                Key = "street-night", Scene = "on a city street at night", Lights = [Light.Night], Time = TimeOfDay.Night, Tags = ["walk", "street"],
                Adv = ["on a city street at night", "on a street in the city after dark", "on a busy street late at night"],
                Clauses = ["Shop windows glow along the street, and {lamps|street lamps} throw pools of yellow light on the pavement.", "Cars pass slowly in the background, their lights {blurred|soft|streaking}."],
                Props = ["a {$c} taxi | waits at the curb", "a lit shop window | glows", "a couple | walks arm in arm"],
                Anchors = ["a lamp post", "the curb", "a shop doorway"],
                Moods = ["lively", "urban"],
            },
            new()
            {
                Key = "living-room", Scene = "in a living room", Lights = [Light.Day, Light.Golden, Light.Night, Light.Rain], Indoor = true, Tags = ["seat", "table", "home"],
                Adv = ["in a living room", "at home in the living room", "in a cozy living room"],
                Clauses = ["A {soft|deep|gray} sofa and a {low|wooden} coffee table fill the room.", "Framed pictures hang on the walls, and a {woven|patterned} rug covers the floor."],
                Props = ["a {tall|green} potted plant | stands in the corner", "a {ginger|gray} cat | sleeps on a cushion", "a stack of magazines | sits on the coffee table"],
                Anchors = ["the sofa", "the coffee table", "the window"],
                Moods = ["cozy", "warm"],
            },
            new()
            {
                Key = "kitchen-table", Scene = "at a kitchen table", Lights = [Light.Day, Light.Night, Light.Overcast], Indoor = true, Tags = ["seat", "table", "home"],
                Adv = ["at a kitchen table", "around the kitchen table", "at a wooden kitchen table"],
                Clauses = ["The kitchen table is {scrubbed|worn|pale} wood, and {pots|jars|mugs} line the shelves behind it.", "Behind {$obj}, the kitchen counter is crowded with jars, a kettle and a bowl of fruit."],
                Props = ["a {ceramic|blue} bowl of fruit | sits on the table", "a {steel|red} kettle | rests on the stove", "a {small|green} pot of herbs | grows on the windowsill"],
                Anchors = ["the table", "the stove", "the window"],
                Moods = ["homely", "warm"],
            },
            new()
            {
                Key = "snow", Scene = "in the snow", Lights = [Light.Snow], Tags = ["open", "walk"],
                Adv = ["in the snow", "on a snowy day", "outside in fresh snow"],
                Clauses = ["Snow covers the ground and the branches of the trees, and breath shows as small clouds in the cold air.", "{$pron} {s:is|are} wrapped up in {thick|woolly|bright} hats, scarves and gloves."],
                Props = ["a {small|lopsided} snowman | stands", "a {red|wooden} sled | rests in the snow", "a line of footprints | crosses the snow"],
                Anchors = ["a snowy bench", "a bare tree", "a snowdrift"],
                Moods = ["cold", "cheerful"],
            },
            new()
            {
                Key = "subway", Scene = "in a subway station", Lights = [Light.Artificial], Indoor = true, Tags = ["station"],
                Adv = ["in a subway station", "on a subway platform", "in an underground station"],
                Clauses = ["The platform is {long|narrow} and tiled in {white|cream|pale green}, under a low curved ceiling.", "A train waits at the platform with its doors open, and commuters move past in both directions."],
                Props = ["a crowd of commuters | waits on the platform", "a {$c} bench | stands against the wall", "a man with a {$cloth} backpack | hurries past"],
                Anchors = ["the platform edge", "a tiled pillar", "the stairs"],
                Moods = ["busy", "urban"],
            },
            new()
            {
                Key = "market", Scene = "at an outdoor market", Lights = [Light.Day, Light.Overcast], Tags = ["walk", "market"],
                Adv = ["at an outdoor market", "at a busy open-air market", "among the stalls of an outdoor market"],
                Clauses = ["Stalls with {striped|green|red and white} awnings sell fruit, bread and flowers.", "Crates of {red|green|ripe} apples and {orange|yellow} squash are stacked beside them."],
                Props = ["a vendor in a {$cloth} apron | stands behind a stall", "a pile of {red|green} apples | sits in a crate", "a bucket of {yellow|pink|white} flowers | stands"],
                Anchors = ["a fruit stall", "a stack of crates", "the nearest awning"],
                Moods = ["lively", "busy"],
            },
        ],
    };
}
