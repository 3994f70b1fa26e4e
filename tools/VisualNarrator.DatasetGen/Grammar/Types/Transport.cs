namespace VisualNarrator.DatasetGen.Grammar.Types;

internal static class Transport
{
    private static readonly Light[] Fair = [Light.Dawn, Light.Day, Light.Golden];

    public static SceneType Create() => new()
    {
        Name = "transport",
        LightClauses =
        [
            "[night,out] {Headlights|Lamps} and lit windows make bright points in the darkness.",
            "[rain,out] Raindrops bead on every {metal|painted|glass} surface and run down in thin lines.",
            "[golden,out] The low sun {glints|flashes} on glass and metal, and everything has a {warm|golden} edge.",
        ],
        Subjects =
        [
            new()
            {
                Key = "bus", Scene = "a red double-decker bus", Tags = ["road", "motor", "passenger"],
                Nps = ["a red double-decker bus", "a bright red double-decker bus", "an old red double-decker bus"],
                Def = ["the bus", "the double-decker"],
                Verbs = ["fills most of the frame", "is coming toward the camera"],
                Clauses =
                [
                    "Its {glossy|bright|shiny} red paint stands out against the {gray|muted|pale} surroundings.",
                    "Passengers can be seen through the {large|upper|wide} windows.",
                ],
                Props = ["a {$c} car | follows", "a cyclist in a {$cloth} jacket | waits"],
                Anchors = ["the bus stop", "the curb", "a lamp post"],
                Moods = ["busy", "cheerful", "urban", "lively", "bright"],
            },
            new()
            {
                Key = "steam-train", Scene = "a steam train", Tags = ["rail", "motor", "passenger", "old"],
                Nps = ["a steam train", "an old steam locomotive", "a vintage steam train"],
                Def = ["the train", "the locomotive", "the engine"],
                Verbs = ["chugs along the track", "comes around a long curve"],
                Clauses =
                [
                    "{Thick|White|Gray} smoke {pours|billows} from the chimney and trails back over the carriages.",
                    "The engine is painted {deep green|black|maroon} with {brass|gold|red} trim that gleams.",
                ],
                Props = ["a {wooden|white} fence | runs beside the track", "a {small|old} signal box | stands"],
                Anchors = ["the track", "a wooden fence", "the embankment"],
                Moods = ["nostalgic", "dramatic", "majestic", "historic", "romantic"],
            },
            new()
            {
                Key = "sailboat", Scene = "a sailboat", Tags = ["water", "boat"], Lights = [Light.Dawn, Light.Day, Light.Golden, Light.Dusk, Light.Night, Light.Overcast, Light.Rain, Light.Fog],
                Nps = ["a sailboat", "a small white sailboat", "a small sailing boat"],
                Def = ["the boat", "the sailboat"],
                Verbs = ["heels over in the wind", "glides across the frame"],
                Clauses =
                [
                    "Its {white|cream} sails are full of wind, and the hull is {white|navy|wooden} and {sleek|narrow}.",
                    "The water around it is {choppy|calm|sparkling} and {blue|gray|green}.",
                ],
                Props = ["a {white|small} gull | floats on the water", "a {red|orange} buoy | bobs"],
                Anchors = ["the bow", "the waves", "the far shore"],
                Moods = ["peaceful", "free", "calm", "serene", "relaxed"],
            },
            new()
            {
                Key = "vintage-car", Scene = "a vintage car", Tags = ["road", "motor", "parked", "old"],
                Nps = ["a vintage car", "an old convertible", "a classic car"],
                Def = ["the car", "the old car"],
                Verbs = ["sits in the centre of the frame", "fills most of the picture"],
                Clauses =
                [
                    "Its round chrome headlights and {curved|long} fenders {shine|gleam}, and the paint is a {pale blue|cream|cherry red|deep green}.",
                    "The {leather|tan|red leather} seats are {cracked|worn} but clean.",
                ],
                Props = ["a {wooden|low} fence | runs alongside", "a {lone|tall} tree | stands"],
                Anchors = ["the front bumper", "the side of the road", "the chrome grille"],
                Moods = ["nostalgic", "elegant", "charming", "vintage", "stylish"],
            },
            new()
            {
                Key = "subway-train", Scene = "a subway train", Tags = ["rail", "underground", "passenger"], Lights = [Light.Artificial],
                Nps = ["a subway train", "an underground train", "a metro train"],
                Def = ["the train", "the subway train"],
                Verbs = ["pulls into the station", "waits with its doors open"],
                Clauses =
                [
                    "The carriages are {silver|steel|white} with a {red|blue|yellow} stripe along the side.",
                    "Through the windows, passengers {sit|stand} {reading|looking at their phones|holding the rails}.",
                ],
                Props = ["a crowd of commuters | waits on the platform", "a {$c} bench | stands against the wall"],
                Anchors = ["the platform edge", "a tiled pillar", "the stairs"],
                Moods = ["busy", "urban", "modern", "crowded", "hectic"],
            },
            new()
            {
                Key = "cargo-ship", Scene = "a cargo ship", Tags = ["water", "boat", "large"], Lights = [Light.Dawn, Light.Day, Light.Golden, Light.Dusk, Light.Night, Light.Overcast, Light.Rain, Light.Fog],
                Nps = ["a cargo ship", "a huge cargo ship", "a container ship"],
                Def = ["the ship", "the cargo ship"],
                Verbs = ["sits low in the water", "stretches across the frame"],
                Clauses =
                [
                    "Stacks of {red|blue|orange|green} and {gray|white|yellow} containers are piled high on its deck.",
                    "Its {dark|black|rust-streaked} hull is huge, towering over everything nearby.",
                ],
                Props = ["a {small|red} tugboat | pushes against the hull", "a flock of gulls | circles"],
                Anchors = ["the bow", "the stern", "the waterline"],
                Moods = ["industrial", "massive", "busy", "heavy", "powerful"],
            },
            new()
            {
                Key = "balloon", Scene = "a hot air balloon", Tags = ["air"], Lights = [Light.Dawn, Light.Day, Light.Golden, Light.Overcast],
                Nps = ["a hot air balloon", "a colorful hot air balloon", "a large hot air balloon"],
                Def = ["the balloon"],
                Verbs = ["floats high in the sky", "drifts slowly across the frame"],
                Clauses =
                [
                    "The balloon is striped in {red|orange|yellow|blue} and {yellow|white|green|purple}, with a wicker basket hanging below.",
                    "A burst of flame lights the inside of the balloon as it rises.",
                ],
                Props = ["a second, smaller balloon | floats", "a {small|white} cloud | drifts"],
                Anchors = ["the basket", "the horizon"],
                Moods = ["peaceful", "joyful", "calm", "dreamy", "colorful"],
            },
            new()
            {
                Key = "bicycle", Scene = "an old bicycle", Tags = ["road", "parked", "small", "old"],
                Nps = ["an old bicycle", "a vintage bicycle", "a well-used bicycle"],
                Def = ["the bicycle", "the bike"],
                Verbs = ["stands in the middle of the frame", "is the main subject of the picture"],
                Clauses =
                [
                    "The frame is {pale blue|dark green|red|cream} and a little {rusty|chipped} at the joints.",
                    "A {wicker|woven|metal} basket is fixed to the handlebars.",
                ],
                Props = ["a {black|gray} cat | watches", "a {small|wooden} crate | sits"],
                Anchors = ["the front wheel", "the handlebars"],
                Moods = ["nostalgic", "charming", "quiet", "simple", "rustic"],
            },
            new()
            {
                Key = "tram", Scene = "a vintage tram", Tags = ["rail", "road", "passenger", "old", "motor"],
                Nps = ["a vintage tram", "an old tram", "a historic tram"],
                Def = ["the tram"],
                Verbs = ["rattles along its tracks", "comes around a corner"],
                Clauses =
                [
                    "The tram is painted {red and cream|green and white|yellow}, with {wooden|polished} panels and rounded windows.",
                    "Its bell and brass handrails gleam, and overhead wires run above it.",
                ],
                Props = ["a {$c} car | waits", "a woman in a {$cloth} coat | waits at the stop"],
                Anchors = ["the tram stop", "the tracks", "the overhead wires"],
                Moods = ["nostalgic", "charming", "cheerful", "historic", "urban"],
            },
            new()
            {
                Key = "plane", Scene = "a small propeller plane", Tags = ["air"], Lights = [Light.Dawn, Light.Day, Light.Golden, Light.Overcast, Light.Dusk],
                Nps = ["a small propeller plane", "a small airplane", "a light aircraft"],
                Def = ["the plane", "the aircraft"],
                Verbs = ["flies low across the frame", "banks gently to one side"],
                Clauses =
                [
                    "The plane is {white|silver|red and white} with a {red|blue|yellow} stripe along its body and a propeller at the nose.",
                    "Its wings are {long|slim|straight}, and the wheels hang below the body.",
                ],
                Props = ["a {small|white} cloud | drifts", "a flock of birds | flies past"],
                Anchors = ["the horizon", "the wingtip"],
                Moods = ["free", "adventurous", "calm", "open", "bright"],
            },
            new()
            {
                Key = "motorcycle", Scene = "a motorcycle", Tags = ["road", "motor", "parked", "small"],
                Nps = ["a motorcycle", "a black motorcycle", "a vintage motorcycle"],
                Def = ["the motorcycle", "the bike"],
                Verbs = ["stands at the centre of the frame", "leans on its stand"],
                Clauses =
                [
                    "Its {chrome|polished} exhaust pipes and glossy fuel tank shine.",
                    "The {leather|black|worn} seat is {cracked|smooth|scuffed}, and a helmet hangs from the handlebar.",
                ],
                Props = ["a {small|metal} toolbox | sits on the ground", "a {$c} scooter | is parked"],
                Anchors = ["the front wheel", "the exhaust pipe"],
                Moods = ["rugged", "free", "cool", "stylish", "bold"],
            },
        ],
        Features =
        [
            new()
            {
                Key = "bridge", Scene = "crossing a bridge", Fits = ["motor"], Places = ["out"],
                With = ["crossing a bridge", "on a long bridge"],
                Finite = ["{s:crosses|cross} a long {stone|iron|steel} bridge"],
                Clauses = ["The bridge has {arches|girders|railings} along its sides, and it looks {old|sturdy|solid}.", "Below the bridge, a {wide|slow|gray} river moves past."],
                Anchors = ["the bridge railing", "the end of the bridge"],
            },
            new()
            {
                Key = "platform", Scene = "at a station platform", Fits = ["rail"],
                With = ["waiting at a station platform", "at a station platform"],
                Finite = ["{s:waits|wait} at a station platform", "{s:stands|stand} at a platform"],
                Clauses = ["The platform is {long|narrow|crowded} and {concrete|tiled|paved}, with a {metal|glass|iron} roof overhead.", "People with bags and suitcases {wait|gather} along the edge of the platform."],
                Props = ["a few passengers with suitcases | wait", "a {wooden|metal} bench | stands on the platform"],
                Anchors = ["the platform edge", "a station pillar"],
            },
            new()
            {
                Key = "country-road", Scene = "on a country road", Fits = ["road"], Places = ["out"],
                With = ["on a country road", "on a narrow country road"],
                Finite = ["{s:travels|travel} along a narrow country road", "{s:is|are} on a quiet country road"],
                Clauses = ["[!snow] The road is narrow and winds between {green|rolling} fields and low hedges.", "[snow] The road runs between white fields, with dark hedges poking through the snow."],
                Props = ["[!snow] a {lone|tall} oak | stands by the road", "a {wooden|low} farm gate | stands"],
                Anchors = ["the hedge", "the side of the road", "a field gate"],
            },
            new()
            {
                Key = "harbour", Scene = "in a harbour", Fits = ["boat"], Places = ["out"],
                With = ["moored in a harbour", "in a busy harbour"],
                Finite = ["{s:is|are} moored in a {busy|small|quiet} harbour"],
                Clauses = ["Around it, the harbour is crowded with {fishing boats|cranes|wooden piers} and coiled ropes.", "The harbour water is {still|green|oily} and reflects the boats around it."],
                Props = ["a small fishing boat | is moored", "a stack of crates | sits on the quay"],
                Anchors = ["the quay", "the harbour wall", "a bollard"],
            },
            new()
            {
                Key = "open-water", Scene = "on open water", Fits = ["boat"], Places = ["out"],
                With = ["sailing on open water", "out on the open sea"],
                Finite = ["{s:sails|sail} across open water"],
                Clauses = ["There is nothing around {$obj} but {rolling|gentle|choppy} {blue|gray|green} water stretching to the horizon.", "Waves {roll|slap} against the hull, and the horizon is a {clean|straight|faint} line."],
            },
            new()
            {
                Key = "fields", Scene = "above green fields", Fits = ["air"], Places = ["out"],
                With = ["above rolling green fields", "high above green fields"],
                Finite = ["{s:is|are} high above rolling green fields"],
                Clauses = ["Below, the fields form a {patchwork|pattern} of green and {gold|brown|yellow}, divided by hedges.", "Far below, a {small|winding} river cuts through the fields."],
                Anchors = ["the fields below"],
            },
            new()
            {
                Key = "canal", Scene = "parked by a canal", Fits = ["parked"], Places = ["out"],
                With = ["parked by a canal", "parked beside a canal"],
                Finite = ["{s:is|are} parked beside a {narrow|quiet|green} canal"],
                Clauses = ["The canal water is {still|dark|green} and reflects the old brick houses along its banks.", "A {low|iron|arched} bridge crosses the canal {nearby|a little way off}."],
                Props = ["a narrow boat | is moored on the canal"],
                Anchors = ["the canal edge", "an iron railing"],
            },
            new()
            {
                Key = "wall", Scene = "against an old wall", Fits = ["small", "vintage-car"], Places = ["out"],
                With = ["parked against an old wall", "against a weathered wall"],
                Finite = ["{s:stands|stand} against an old stone wall"],
                Clauses = ["The wall behind {$obj} is {rough|weathered|old} stone, patched with {moss|ivy|peeling plaster}.", "Ivy climbs the {old|crumbling|weathered} wall above {$obj}."],
                Anchors = ["the wall"],
            },
            new()
            {
                Key = "passengers", Scene = "full of passengers", Fits = ["passenger"],
                With = ["full of passengers", "packed with passengers"],
                Finite = ["{s:is|are} full of passengers"],
                Clauses = ["Faces fill every window, some {reading|talking|looking out}.", "Passengers crowd the doors, holding bags and {umbrellas|coffee cups|backpacks}."],
            },
            new()
            {
                Key = "forest", Scene = "passing through a forest", Fits = ["rail", "motor"], Places = ["out"],
                With = ["passing through a forest", "winding through a forest"],
                Finite = ["{s:passes|pass} through a {dense|green|pine} forest"],
                Clauses = ["Tall trees crowd close on either side, their branches almost touching overhead.", "[!snow] The forest is {dense|deep|dark} green, and ferns grow along the edge of the track."],
                Anchors = ["the edge of the forest", "a tall pine"],
            },
        ],
        Contexts =
        [
            Times.Dawn(), Times.Morning("on a sunny morning"), Times.Midday(), Times.LateAfternoon(), Times.Sunset(), Times.Dusk(), Times.Night(),
            Times.Rain(), Times.Fog(), Times.Snow(), Times.Overcast(),
            new()
            {
                Key = "subway", Scene = "in a subway station", Lights = [Light.Artificial], Indoor = true, Fits = ["underground"],
                Adv = ["in a subway station", "in an underground station", "deep in a subway station"],
                Clauses = ["The station walls are tiled in {white|cream|pale green}, under a low curved ceiling.", "A {yellow|white} line runs along the edge of the platform."],
            },
        ],
    };
}
