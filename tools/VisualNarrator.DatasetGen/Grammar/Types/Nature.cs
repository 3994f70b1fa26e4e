namespace VisualNarrator.DatasetGen.Grammar.Types;

internal static class Nature
{
    private static readonly Light[] NoSnow = [Light.Dawn, Light.Day, Light.Golden, Light.Dusk, Light.Night, Light.Overcast, Light.Rain, Light.Fog];

    public static SceneType Create() => new()
    {
        Name = "nature",
        Props =
        [
            "[snow] a line of animal tracks | crosses the snow",
        ],
        LightClauses =
        [
            "[night] A {bright|pale|full} moon hangs {low|high} in the sky, {silvering|lighting} the edges of {$the}.",
            "[night] Stars are scattered across the {dark|inky|deep blue} sky, far brighter than in any city.",
            "[dusk] The first stars are appearing, and the land fades into soft {blue|gray} shadow.",
            "[dawn] A thin mist lies low over the ground and is just beginning to lift in the early light.",
            "[golden] Everything in the distance glows {orange|gold|amber} where the low sun touches it.",
        ],
        Subjects =
        [
            new()
            {
                Key = "mountain-lake", Scene = "a mountain lake", Tags = ["water", "mountain", "lake"],
                Nps = ["a mountain lake", "a clear lake high in the mountains", "an alpine lake"],
                Def = ["the lake", "the water"],
                Verbs = ["lies still between the peaks", "stretches across the middle of the frame"],
                Clauses =
                [
                    "[!snow] The water is {clear|glassy|calm} and {deep blue|green|turquoise}, {reflecting|mirroring} the peaks above it.",
                    "[snow] The edges of the lake are {frozen|icy}, and snow covers the slopes around it.",
                    "Steep, {rocky|jagged} mountains rise {behind|around} the lake{|, their peaks dusted with snow}.",
                ],
                Props = ["a {small|wooden|red} rowing boat | rests on the shore", "[!snow] a clump of {tall|green} reeds | grows", "a {large|gray|smooth} rock | sits at the water's edge", "[!dark] a {small|lone} bird | sits on a branch"],
                Anchors = ["the shoreline", "the water's edge", "a pine tree", "the far shore"],
                Moods = ["peaceful", "serene", "tranquil", "calm", "majestic", "quiet"],
            },
            new()
            {
                Key = "forest", Scene = "a pine forest", Tags = ["forest", "trees"],
                Nps = ["a pine forest", "a dense forest of tall pines", "a deep pine wood"],
                Def = ["the forest", "the woods"],
                Verbs = ["fills the whole frame", "stretches away in every direction"],
                Clauses =
                [
                    "Tall, straight trunks rise close together, their bark {rough|brown|dark} and deeply grooved.",
                    "[!snow] The forest floor is covered with {soft|brown} needles and patches of {green|bright} moss.",
                    "[snow] Snow lies between the trunks and weighs down the lower branches.",
                ],
                Props = ["a {fallen|moss-covered|old} log | lies across the ground", "[!dark] a {small|brown} squirrel | sits on a branch", "[!snow] a patch of {green|soft} ferns | grows", "[!snow] a cluster of {small|brown|orange} mushrooms | grows", "a {narrow|winding} deer trail | leads off"],
                Anchors = ["a tall pine", "a mossy rock", "a broken stump"],
                Moods = ["peaceful", "quiet", "still", "mysterious", "calm", "serene"],
            },
            new()
            {
                Key = "meadow", Scene = "a field of wildflowers", Tags = ["meadow", "open"], Lights = NoSnow,
                Nps = ["a field of wildflowers", "a meadow full of wildflowers", "a wide field of wild flowers"],
                Def = ["the field", "the meadow"],
                Verbs = ["rolls gently toward the horizon", "spreads out across the frame"],
                Clauses =
                [
                    "Flowers in {red|yellow|purple|white|blue} and {orange|pink|violet} {dot|cover} the {tall|green} grass.",
                    "The grass is {long|soft|lush} and {bright|deep} green, bending slightly in the breeze.",
                ],
                Props = ["[sun] a {small|white|yellow} butterfly | rests on a flower", "a {lone|single} oak tree | stands", "[sun] a bee | hovers over the petals", "a {weathered|fallen|pale} log | lies in the grass", "[!dark] a {small|brown} bird | perches on a fence post"],
                Anchors = ["the old oak", "a wooden fence", "a patch of red poppies"],
                Moods = ["[!rain,!fog] cheerful", "peaceful", "idyllic", "lovely", "calm", "[!rain] joyful", "[rain,fog] quiet"],
            },
            new()
            {
                Key = "beach", Scene = "a tropical beach", Tags = ["beach", "water", "coast", "open"], Lights = [Light.Dawn, Light.Day, Light.Golden, Light.Dusk, Light.Night, Light.Overcast, Light.Rain],
                Nps = ["a tropical beach", "a white sand beach in the tropics", "a quiet tropical beach"],
                Def = ["the beach", "the shore", "the sand"],
                Verbs = ["curves along the edge of the sea", "stretches toward the horizon"],
                Clauses =
                [
                    "The sand is {white|pale|soft} and fine, and the water shades from {turquoise|pale green} to {deep blue|navy} further out.",
                    "Small waves {roll|break} gently onto the shore{|, leaving lines of white foam}.",
                ],
                Props = ["[sun] a {striped|blue|red} beach towel | lies on the sand", "a {weathered|wooden} boat | rests on the sand", "[!dark] a few seabirds | stand at the water's edge", "a {driftwood|pale} log | lies half buried"],
                Anchors = ["the water's edge", "the dunes", "a tall palm"],
                Moods = ["relaxed", "peaceful", "idyllic", "tropical", "calm", "serene"],
            },
            new()
            {
                Key = "waterfall", Scene = "a rocky waterfall", Tags = ["water", "river", "rocks"],
                Nps = ["a rocky waterfall", "a waterfall tumbling over rocks", "a tall waterfall"],
                Def = ["the waterfall", "the falls"],
                Verbs = ["pours down the middle of the frame", "crashes into a pool below"],
                Clauses =
                [
                    "White water {pours|tumbles|crashes} over {dark|wet|mossy} rocks into a {deep|green|clear} pool below.",
                    "Fine spray rises from the base of the falls{| and hangs in the air}.",
                ],
                Props = ["a {mossy|wet|smooth} boulder | sits in the stream", "[!snow] a {green|young} fern | grows out of the rock", "a fallen branch | lies across the rocks", "[!dark] a {small|gray} bird | perches on a stone"],
                Anchors = ["the pool", "the rock face", "the riverbank"],
                Moods = ["dramatic", "wild", "majestic", "fresh", "cool", "powerful"],
            },
            new()
            {
                Key = "desert", Scene = "a sandy desert", Tags = ["desert", "open"], Lights = [Light.Dawn, Light.Day, Light.Golden, Light.Dusk, Light.Night],
                Nps = ["a sandy desert", "a wide desert of rolling dunes", "an empty desert"],
                Def = ["the desert", "the dunes"],
                Verbs = ["stretches to the horizon", "rolls away in waves of sand"],
                Clauses =
                [
                    "The dunes are {smooth|soft|rippled} and {golden|orange|pale}, with sharp ridges where the wind has shaped them.",
                    "The sand is marked with {fine|long|curving} ripples that run in the same direction.",
                ],
                Props = ["a {small|dry|thorny} bush | grows", "a line of footprints | crosses the sand", "[sun] a {small|sandy} lizard | rests on a stone"],
                Anchors = ["the nearest dune", "a flat rock", "the crest of a dune"],
                Moods = ["vast", "empty", "quiet", "desolate", "stark", "still"],
            },
            new()
            {
                Key = "valley", Scene = "a river valley", Tags = ["valley", "river", "open"],
                Nps = ["a river valley", "a wide river valley", "a river valley between hills"],
                Def = ["the valley"],
                Verbs = ["opens out below the hills", "spreads out in soft curves"],
                Clauses =
                [
                    "A {slow|winding|silver} river {curves|winds} through the middle of the valley.",
                    "[!snow] The hillsides are covered in {green|lush} fields and {dark|dense} woods.",
                    "[snow] Snow covers the hillsides, broken only by dark lines of trees.",
                ],
                Props = ["a {small|stone|white} farmhouse | sits", "[!dark,!snow] a herd of {brown|black and white} cows | grazes", "a {low|dry} stone wall | runs along the slope", "a {lone|tall} oak tree | stands in a field"],
                Anchors = ["the river", "a stand of trees", "the hillside"],
                Moods = ["peaceful", "idyllic", "calm", "rural", "picturesque", "serene"],
            },
            new()
            {
                Key = "peak", Scene = "a snowy mountain peak", Tags = ["mountain"], Lights = [Light.Dawn, Light.Day, Light.Golden, Light.Dusk, Light.Night, Light.Overcast, Light.Snow, Light.Fog],
                Nps = ["a snowy mountain peak", "a high, snow-capped peak", "a tall mountain capped with snow"],
                Def = ["the peak", "the mountain", "the summit"],
                Verbs = ["towers over the landscape", "rises sharply against the sky"],
                Clauses =
                [
                    "The upper slopes are covered in {white|bright|fresh} snow, while the lower slopes are {dark|gray} rock and {scattered|dense} pines.",
                    "{Jagged|Sharp} ridges lead up to the summit in a long, steep line.",
                ],
                Props = ["a {small|wooden} hut | sits on a ledge", "a line of {dark|tall} pines | stands", "a {large|gray|jagged} rock | juts out of the slope"],
                Anchors = ["the ridge", "a rocky ledge", "the foot of the mountain"],
                Moods = ["majestic", "dramatic", "grand", "cold", "vast", "breathtaking"],
            },
            new()
            {
                Key = "cliffs", Scene = "rocky cliffs by the sea", Tags = ["coast", "water", "rocks"], Plural = true, Pron = "they", Poss = "their", Obj = "them",
                Nps = ["rocky cliffs by the sea", "tall sea cliffs", "steep cliffs above the ocean"],
                Def = ["the cliffs", "the rocks"],
                Verbs = ["drop straight into the sea", "rise above the waves"],
                Clauses =
                [
                    "Waves {crash|break} against the base of the cliffs, throwing up {white|bright} spray.",
                    "The cliffs are {rough|jagged|layered} {gray|brown|pale} rock, streaked with darker bands.",
                ],
                Props = ["a {white|small} lighthouse | stands", "[!dark] a flock of seagulls | circles", "a narrow path | runs along the top"],
                Anchors = ["the edge of the cliff", "a rocky outcrop", "the shoreline"],
                Moods = ["dramatic", "wild", "rugged", "majestic", "stark"],
            },
            new()
            {
                Key = "pond", Scene = "a small pond", Tags = ["water", "pond"],
                Nps = ["a small pond", "a quiet pond", "a little pond in a clearing"],
                Def = ["the pond", "the water"],
                Verbs = ["sits in the middle of the frame", "lies still and flat"],
                Clauses =
                [
                    "[!snow] Lily pads float on the {dark|still|green} water.",
                    "[snow] The pond is frozen over, its surface white and smooth.",
                    "Reeds and {tall|soft} grasses grow thickly along the banks.",
                ],
                Props = ["[!dark] a {gray|white} heron | stands in the shallows", "[!snow,!dark] a pair of ducks | swims near the bank", "a {wooden|small} bench | faces the water", "a {large|gray|smooth} rock | sits on the bank"],
                Anchors = ["the bank", "a willow tree", "a flat stone"],
                Moods = ["peaceful", "quiet", "still", "calm", "tranquil"],
            },
        ],
        Features =
        [
            new()
            {
                Key = "pines", Scene = "with pine trees", Fits = ["lake", "valley", "peak", "pond", "waterfall", "meadow"],
                With = ["surrounded by pine trees", "edged with tall pines", "with dark pine trees"],
                Finite = ["{s:is|are} surrounded by tall pine trees", "{s:is|are} ringed by dark pines"],
                Clauses = ["Dark green pine trees {crowd|line} the edges, their tops pointed and sharp.", "The pines stand {close together|in dense rows}, {dark|deep green} against the sky."],
                Anchors = ["the nearest pine"],
            },
            new()
            {
                Key = "palms", Scene = "with palm trees", Fits = ["beach", "desert", "cliffs", "pond"], Lights = NoSnow,
                With = ["with tall palm trees", "lined with palm trees"],
                Finite = ["{s:is|are} lined with tall palm trees", "{s:is|are} shaded by a few palm trees"],
                Clauses = ["Tall palm trees lean at gentle angles, their {long|green|feathery} fronds swaying in the breeze.", "A cluster of palms stands close by, their trunks {curved|slender|ringed} and {gray|pale brown}."],
                Anchors = ["the tallest palm", "a leaning palm"],
            },
            new()
            {
                Key = "bridge", Scene = "with a wooden bridge", Fits = ["river", "pond", "forest", "meadow"],
                With = ["with a small wooden bridge", "crossed by a wooden bridge"],
                Finite = ["{s:is|are} crossed by a small wooden bridge", "{s:has|have} a small wooden bridge"],
                Clauses = ["A small wooden bridge with a {simple|worn|weathered} railing crosses a {narrow|shallow} stream.", "The bridge is made of {old|gray|weathered} planks, {smooth|worn} in the middle from years of footsteps."],
                Anchors = ["the bridge", "the end of the bridge"],
            },
            new()
            {
                Key = "rainbow", Scene = "with a rainbow", Fits = ["waterfall", "meadow", "valley", "lake", "cliffs", "beach"], Lights = [Light.Day, Light.Golden],
                With = ["with a rainbow above {s:it|them}", "under a faint rainbow"],
                Finite = ["{s:lies|lie} beneath a faint rainbow", "{s:is|are} crowned by a rainbow"],
                Clauses = ["A {faint|bright|clear} rainbow arcs across the sky, its colours soft against the clouds.", "The rainbow's bands of red, orange, green and violet are {clear|bright|faint} against the {gray|pale} clouds."],
            },
            new()
            {
                Key = "horses", Scene = "with wild horses", Fits = ["meadow", "valley", "desert", "beach", "cliffs"], Lights = [Light.Dawn, Light.Day, Light.Golden, Light.Overcast, Light.Fog, Light.Rain],
                With = ["with wild horses grazing", "where wild horses roam"],
                Finite = ["{s:is|are} home to a small herd of wild horses"],
                Clauses = ["A small herd of {brown|chestnut|dark|gray} horses grazes quietly in the distance.", "The horses have {long|tangled|dark} manes and {thick|shaggy|glossy} coats."],
                Anchors = ["the herd"],
            },
            new()
            {
                Key = "cabin", Scene = "with a wooden cabin", Fits = ["lake", "forest", "peak", "meadow", "valley"],
                With = ["with a small wooden cabin", "with a log cabin nearby"],
                Finite = ["{s:has|have} a small wooden cabin nearby", "{s:is|are} overlooked by a log cabin"],
                Clauses = ["A small log cabin with a {steep|dark|green} roof sits near the trees{|, smoke curling from its chimney}.", "[dark] A warm light glows in the window of a small wooden cabin."],
                Anchors = ["the cabin", "the cabin porch"],
            },
            new()
            {
                Key = "autumn", Scene = "in autumn colours", Fits = ["forest", "valley", "lake", "pond", "waterfall"], Lights = NoSnow,
                With = ["in autumn colours", "with trees in autumn colours"],
                Finite = ["{s:is|are} ringed by trees in autumn colours"],
                Clauses = ["The leaves have turned {red|orange|gold} and {yellow|amber|brown}, and fallen leaves carpet the ground.", "Trees in {crimson|orange|golden} and {rust|yellow|brown} {crowd|frame} the scene."],
                Anchors = ["a red maple", "a pile of fallen leaves"],
            },
            new()
            {
                Key = "boulders", Scene = "with large boulders", Fits = ["coast", "river", "waterfall", "desert", "mountain"],
                With = ["scattered with large boulders", "with huge gray boulders"],
                Finite = ["{s:is|are} scattered with large boulders"],
                Clauses = ["Huge {gray|pale|rounded|smooth} boulders lie scattered along the edges, {rough|spotted} with lichen.", "The boulders are {smooth|round|rough} and {gray|brown|pale}, some as big as a car."],
                Anchors = ["the largest boulder"],
            },
            new()
            {
                Key = "path", Scene = "with a winding path", Fits = ["forest", "meadow", "valley", "peak", "cliffs"],
                With = ["with a winding path", "crossed by a winding footpath"],
                Finite = ["{s:is|are} crossed by a narrow, winding path"],
                Clauses = ["A narrow dirt path {winds|curves} away from the camera and disappears into the distance.", "The path is {narrow|worn|sandy} and {brown|pale}, edged with {tall grass|small stones}."],
                Anchors = ["the path", "a bend in the path"],
            },
            new()
            {
                Key = "stream", Scene = "with a small stream", Fits = ["forest", "meadow", "valley"],
                With = ["with a small stream", "with a stream running through {s:it|them}"],
                Finite = ["{s:has|have} a small stream running through {s:it|them}"],
                Clauses = ["[!snow] A {clear|shallow|narrow} stream {runs|bubbles|trickles} over {smooth|round} pebbles.", "[snow] A narrow stream runs dark between banks of snow."],
                Anchors = ["the stream", "the far bank of the stream"],
            },
        ],
        Contexts =
        [
            Times.Dawn("at sunrise"), Times.Morning("on a bright morning"), Times.Midday(), Times.LateAfternoon(), Times.Sunset(), Times.Dusk(),
            Times.Night("under a starry sky"), Times.Rain(), Times.Fog(), Times.Snow(), Times.Overcast(),
        ],
    };
}
