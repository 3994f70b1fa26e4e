namespace VisualNarrator.DatasetGen.Grammar.Types;

internal static class Animals
{
    private static readonly Light[] Daylight = [Light.Dawn, Light.Day, Light.Golden, Light.Overcast, Light.Fog, Light.Rain, Light.Snow];

    public static SceneType Create() => new()
    {
        Name = "animals",
        Subjects =
        [
            new()
            {
                Key = "retriever", Scene = "a golden retriever", Tags = ["dog", "pet", "runner"],
                Nps = ["a golden retriever", "a friendly golden retriever", "a big golden retriever"],
                Def = ["the dog", "the retriever"],
                Clauses =
                [
                    "Its coat is {thick|soft|shiny} and {golden|honey-coloured|pale gold}, a little ruffled around the ears.",
                    "Its tongue hangs out, and its {dark|brown} eyes look {bright|happy|alert}.",
                ],
                Moods = ["happy", "playful", "friendly", "cheerful", "joyful", "energetic"],
            },
            new()
            {
                Key = "tabby", Scene = "a tabby cat", Tags = ["cat", "pet"],
                Nps = ["a tabby cat", "a striped tabby cat", "a small tabby cat"],
                Def = ["the cat", "the tabby"],
                Clauses =
                [
                    "Its fur is striped in {brown|gray|ginger} and {black|cream}, with a {white|pale} patch on its chest.",
                    "Its {green|amber|yellow} eyes are half closed, and its tail curls around its paws.",
                ],
                Moods = ["calm", "relaxed", "cozy", "peaceful", "curious", "content"],
            },
            new()
            {
                Key = "horses", Scene = "two horses", Tags = ["farm", "large", "runner", "grazer"], Plural = true, Pron = "they", Poss = "their", Obj = "them",
                Nps = ["two horses", "a pair of horses", "two tall horses"],
                Def = ["the horses"],
                Clauses =
                [
                    "One is a {glossy|dark} chestnut and the other a {dappled|pale} gray, both with long, flowing manes.",
                    "Their coats {shine|look smooth}, and their tails swish slowly from side to side.",
                ],
                Moods = ["peaceful", "calm", "gentle", "rural", "graceful", "quiet"],
            },
            new()
            {
                Key = "deer", Scene = "a young deer", Tags = ["wild", "runner", "grazer"],
                Nps = ["a young deer", "a small deer", "a young deer with white spots"],
                Def = ["the deer", "the young deer"],
                Clauses =
                [
                    "Its coat is a {soft|warm} {reddish|tawny|light} brown, dotted with {small|faint} white spots.",
                    "Its {large|dark} ears are turned forward, and it stands very still.",
                ],
                Moods = ["quiet", "peaceful", "gentle", "still", "wild", "graceful"],
            },
            new()
            {
                Key = "ducks", Scene = "a family of ducks", Tags = ["bird", "water", "farm"], Plural = true, Pron = "they", Poss = "their", Obj = "them",
                Nps = ["a family of ducks", "a mother duck and her ducklings", "several ducks"],
                Def = ["the ducks", "the ducklings"],
                Clauses =
                [
                    "The mother duck has {brown|speckled|mottled} feathers, and the {tiny|fluffy|small} ducklings are yellow and brown.",
                    "The ducklings stay close together in a neat little line.",
                ],
                Moods = ["peaceful", "cheerful", "calm", "playful", "charming"],
            },
            new()
            {
                Key = "fox", Scene = "a red fox", Tags = ["wild", "runner"],
                Nps = ["a red fox", "a lean red fox", "a young red fox"],
                Def = ["the fox"],
                Clauses =
                [
                    "Its coat is a {bright|deep|rich} orange-red, with a white chest and a {thick|bushy|fluffy} tail tipped in white.",
                    "Its {amber|golden} eyes are alert and fixed on something out of frame.",
                ],
                Moods = ["wild", "curious", "quiet", "mysterious", "watchful"],
            },
            new()
            {
                Key = "elephant", Scene = "an elephant", Tags = ["wild", "large", "savanna", "grazer"],
                Nps = ["an elephant", "a large gray elephant", "an old elephant"],
                Def = ["the elephant"],
                Clauses =
                [
                    "Its skin is {gray|dusty gray}, deeply wrinkled and creased like dry earth.",
                    "Its {long|curving} trunk swings low toward the ground, and its ears fan out wide.",
                ],
                Moods = ["majestic", "calm", "gentle", "peaceful", "wild", "powerful"],
            },
            new()
            {
                Key = "parrot", Scene = "a colorful parrot", Tags = ["bird", "perch", "pet"],
                Nps = ["a colorful parrot", "a bright parrot", "a large parrot"],
                Def = ["the parrot", "the bird"],
                Clauses =
                [
                    "Its feathers are {vivid|bright|brilliant} {red|green} with {blue|yellow} and {green|blue} on the wings.",
                    "Its {curved|hooked|strong} beak is {pale|black|gray}, and its eye is a small, bright ring.",
                ],
                Moods = ["vibrant", "lively", "cheerful", "exotic", "playful"],
            },
            new()
            {
                Key = "sheep", Scene = "a flock of sheep", Tags = ["farm", "grazer"],
                Nps = ["a flock of sheep", "a small flock of sheep", "a flock of woolly sheep"],
                Def = ["the flock", "the sheep"],
                Clauses =
                [
                    "Their wool is {thick|fluffy|creamy|off-white}, a little dirty around the legs.",
                    "A few lambs stay close to their mothers at the edge of the flock.",
                ],
                Moods = ["peaceful", "rural", "calm", "quiet", "idyllic"],
            },
            new()
            {
                Key = "puppy", Scene = "a small puppy", Tags = ["dog", "pet"],
                Nps = ["a small puppy", "a tiny puppy", "a fluffy puppy"],
                Def = ["the puppy"],
                Clauses =
                [
                    "Its fur is {soft|fluffy|fuzzy} and {white|cream|brown|black and white}, and its ears flop forward.",
                    "Its paws look too big for its body, and its tail is a blur of wagging.",
                ],
                Moods = ["playful", "cheerful", "happy", "curious", "sweet"],
            },
            new()
            {
                Key = "owl", Scene = "a barn owl", Tags = ["bird", "perch", "wild", "night"],
                Nps = ["a barn owl", "a pale barn owl", "a white barn owl"],
                Def = ["the owl"],
                Clauses =
                [
                    "Its face is a {pale|white|heart-shaped} disc, with {dark|black} eyes that stare without blinking.",
                    "Its wings are {golden|buff|soft} brown, flecked with {gray|tiny white} spots.",
                ],
                Moods = ["mysterious", "quiet", "still", "calm", "wild"],
            },
        ],
        Features =
        [
            new()
            {
                Key = "ball", Scene = "playing with a ball", Fits = ["dog"], Lights = Daylight,
                With = ["playing with a ball", "chasing a {$c} ball"],
                Finite = ["{s:plays|play} with a {red|blue|yellow|tennis} ball"],
                Clauses = ["The ball is a little {muddy|worn|chewed}, bouncing just out of reach.", "{$poss} ears flap as {s:it leaps|they leap} for the ball."],
            },
            new()
            {
                Key = "sleeping", Scene = "sleeping in the sun", Fits = ["cat", "dog", "fox"], Lights = [Light.Dawn, Light.Day, Light.Golden],
                With = ["sleeping in the sun", "asleep in a patch of sunlight"],
                Finite = ["{s:sleeps|sleep} in a patch of sunshine", "{s:dozes|doze} in the warm sun"],
                Clauses = ["A warm patch of sunlight lies across {$poss} body, and {$poss} fur glows in it.", "{$pron} {s:is|are} curled up tightly, eyes closed, breathing slowly."],
            },
            new()
            {
                Key = "grazing", Scene = "grazing", Fits = ["grazer"], Lights = [Light.Dawn, Light.Day, Light.Golden, Light.Overcast, Light.Fog, Light.Rain],
                With = ["grazing", "grazing quietly"],
                Finite = ["{s:grazes|graze} quietly", "{s:grazes|graze} slowly"],
                Clauses = ["{s:Its head is|Their heads are} lowered to the {short|green|thick} grass.", "The only sound seems to be the soft tearing of grass."],
            },
            new()
            {
                Key = "drinking", Scene = "drinking from a stream", Fits = ["horses", "deer", "elephant", "fox", "retriever", "sheep"], Places = ["out"],
                With = ["drinking from a stream", "drinking at a clear stream"],
                Finite = ["{s:drinks|drink} from a {shallow|clear} stream"],
                Clauses = ["Small ripples spread across the {clear|cool|shallow} water where {s:it drinks|they drink}.", "The stream is {narrow|shallow|clear}, running over {smooth|round} pebbles."],
                Anchors = ["the stream", "the far bank"],
            },
            new()
            {
                Key = "windowsill", Scene = "sitting on a windowsill", Fits = ["cat", "parrot", "puppy"], Places = ["home"],
                With = ["sitting on a windowsill", "perched on a windowsill"],
                Finite = ["{s:sits|sit} on a {wide|wooden|white} windowsill"],
                Clauses = ["A small plant in a {clay|white|terracotta} pot stands on the windowsill beside {$obj}.", "Behind {$obj}, the window glass is {clear|cool|misted} and the world outside is out of focus."],
                Anchors = ["the window", "the windowsill"],
            },
            new()
            {
                Key = "running", Scene = "running at full speed", Fits = ["runner"], Places = ["open"], Lights = Daylight,
                With = ["running at full speed", "racing across the ground"],
                Finite = ["{s:runs|run} at full speed", "{s:races|race} across the open ground"],
                Clauses = ["{s:Its legs are|Their legs are} stretched out mid-stride, and {bits of grass|small clods of earth} fly up behind {$obj}.", "The ground is wide and open, and {$pron} {s:is|are} moving fast."],
            },
            new()
            {
                Key = "perched", Scene = "perched on a branch", Fits = ["perch"], Places = ["trees"],
                With = ["perched on a branch", "sitting on a branch"],
                Finite = ["{s:perches|perch} on a {thick|mossy|bare} branch"],
                Clauses = ["{$poss} claws grip the branch tightly, and the bark is rough and dark.", "Leaves and twigs frame {$obj}, {soft|blurred} in the background."],
                Anchors = ["the branch", "the trunk of the tree"],
            },
            new()
            {
                Key = "camera", Scene = "looking at the camera", Fits = ["pet", "wild", "farm"],
                With = ["looking straight at the camera", "staring at the camera"],
                Finite = ["{s:looks|look} straight at the camera", "{s:stares|stare} into the camera"],
                Clauses = ["{s:Its eyes are|Their eyes are} {bright|dark|wide} and {alert|calm|curious}.", "{$pron} {s:seems|seem} to have noticed the photographer and {s:has|have} paused."],
            },
            new()
            {
                Key = "swimming", Scene = "swimming", Fits = ["ducks", "retriever"], Places = ["water"], Lights = [Light.Dawn, Light.Day, Light.Golden, Light.Overcast, Light.Rain, Light.Fog],
                With = ["swimming", "paddling through the water"],
                Finite = ["{s:swims|swim} through the {calm|still|cool} water", "{s:paddles|paddle} through the water"],
                Clauses = ["{s:It leaves|They leave} a {small|gentle|widening} wake across the {still|dark|green} water.", "Only {s:its head and back show|their heads and backs show} above the surface."],
            },
            new()
            {
                Key = "shade", Scene = "resting under a tree", Fits = ["dog", "large", "farm", "wild"], Places = ["out"], Lights = [Light.Day, Light.Golden],
                With = ["resting under a tree", "lying in the shade of a tree"],
                Finite = ["{s:rests|rest} in the shade of a {large|old|spreading} tree"],
                Clauses = ["The tree's {wide|leafy|broad} branches throw a {cool|dark|dappled} shadow over {$obj}.", "The trunk of the tree is {thick|gnarled|rough} and {gray|brown}."],
                Anchors = ["the tree trunk"],
            },
            new()
            {
                Key = "snow", Scene = "walking through the snow", Fits = ["fox", "deer", "horses", "retriever", "sheep"], Lights = [Light.Snow], Places = ["out"],
                With = ["walking through the snow", "trudging through deep snow"],
                Finite = ["{s:walks|walk} through {deep|fresh|soft} snow"],
                Clauses = ["Deep prints in the snow mark the way {s:it has|they have} come.", "Snow clings to {$poss} {fur|coat|legs} in small white clumps."],
            },
        ],
        Contexts =
        [
            new()
            {
                Key = "meadow", Scene = "in a green meadow", Lights = [Light.Dawn, Light.Day, Light.Golden, Light.Overcast, Light.Fog], Tags = ["open", "grass"],
                Fits = ["dog", "farm", "deer", "fox", "horses"],
                Adv = ["in a green meadow", "in a wide, green meadow", "out in a grassy meadow"],
                Clauses = ["The meadow is {lush|green|long-grassed} and dotted with {yellow|white|purple} flowers.", "A line of {dark|tall} trees marks the far edge of the meadow."],
                Props = ["a {wooden|old} fence | runs along the edge", "a {lone|tall} oak tree | stands", "a patch of {yellow|white} flowers | grows"],
                Anchors = ["the fence", "a clump of tall grass", "the far trees"],
                Moods = ["peaceful", "idyllic"],
            },
            new()
            {
                Key = "clearing", Scene = "in a forest clearing", Lights = [Light.Dawn, Light.Day, Light.Fog, Light.Dusk, Light.Snow], Tags = ["trees", "open"],
                Fits = ["wild", "dog", "perch"],
                Adv = ["in a forest clearing", "in a small clearing in the woods", "at the edge of a forest clearing"],
                Clauses = ["Tall trees stand all around the clearing, their trunks {dark|straight|mossy}.", "[!snow] The ground is covered in {ferns|moss|fallen leaves} and soft grass."],
                Props = ["a {fallen|mossy} log | lies", "[!snow] a cluster of {small|brown} mushrooms | grows", "a {tall|old} tree stump | stands"],
                Anchors = ["a tall pine", "a mossy stump", "the edge of the trees"],
                Moods = ["quiet", "mysterious"],
            },
            new()
            {
                Key = "farm", Scene = "on a farm", Lights = [Light.Day, Light.Golden, Light.Overcast, Light.Rain, Light.Dawn], Tags = ["open", "grass"],
                Fits = ["farm", "dog", "cat"],
                Adv = ["on a farm", "on a small farm", "in a farmyard"],
                Clauses = ["A {red|weathered|old} barn stands in the background, with a {rusty|tin} roof.", "Wooden fences divide the {green|muddy} fields around the farmyard."],
                Props = ["a {red|old} tractor | is parked", "a bale of {golden|dry} hay | sits", "a {metal|wooden} water trough | stands"],
                Anchors = ["the barn", "a wooden gate", "the fence"],
                Moods = ["rural", "peaceful"],
            },
            new()
            {
                Key = "living-room", Scene = "in a cozy living room", Lights = [Light.Day, Light.Golden, Light.Night, Light.Rain], Indoor = true, Tags = ["home"],
                Fits = ["pet"],
                Adv = ["in a cozy living room", "indoors in a cozy living room", "in a warm living room"],
                Clauses = ["A {soft|gray|green} sofa with {knitted|patterned} cushions fills the background.", "A {woven|faded|thick} rug covers the {wooden|polished} floor."],
                Props = ["a {knitted|soft} blanket | lies on the sofa", "a {tall|leafy} plant | stands in the corner", "a {small|round} dog bed | sits"],
                Anchors = ["the sofa", "the fireplace", "an armchair"],
                Moods = ["cozy", "warm"],
            },
            new()
            {
                Key = "savanna", Scene = "on the savanna", Lights = [Light.Day, Light.Golden, Light.Dawn, Light.Dusk], Tags = ["open", "grass", "trees"],
                Fits = ["savanna"],
                Adv = ["on the savanna", "on the open savanna", "out on the dry grasslands"],
                Clauses = ["Dry, {golden|pale|yellow} grass stretches to the horizon, broken by a few flat-topped trees.", "The ground is dusty and {red|pale|brown}, and the sky is huge."],
                Props = ["a flat-topped acacia tree | stands", "a {small|distant} herd of zebras | grazes", "a {large|gray} termite mound | rises"],
                Anchors = ["an acacia tree", "a dusty track", "a shallow waterhole"],
                Moods = ["vast", "wild"],
            },
            new()
            {
                Key = "river", Scene = "by a river", Lights = [Light.Dawn, Light.Day, Light.Golden, Light.Fog, Light.Overcast], Tags = ["water", "open", "trees"],
                Fits = ["wild", "farm", "dog"],
                Adv = ["by a river", "on the bank of a river", "beside a slow river"],
                Clauses = ["The river is {slow|wide|clear} and {green|brown|silver}, with reeds along its banks.", "Smooth stones line the riverbank, and the water moves gently past."],
                Props = ["a {mossy|smooth} stone | sits in the water", "a clump of {tall|green} reeds | grows", "a {fallen|old} branch | lies on the bank"],
                Anchors = ["the riverbank", "the water's edge", "a willow tree"],
                Moods = ["peaceful", "calm"],
            },
            new()
            {
                Key = "snowy-field", Scene = "in a snowy field", Lights = [Light.Snow], Tags = ["open"],
                Fits = ["dog", "farm", "deer", "fox"],
                Adv = ["in a snowy field", "in a field covered with snow", "out in a snowy field"],
                Clauses = ["The field is covered in {smooth|deep|fresh} snow, with a few dark trees far away.", "A {low|wooden|old} fence runs across the snow, half buried."],
                Props = ["a line of footprints | crosses the snow", "a {bare|lone} tree | stands", "a {wooden|old} fence post | sticks out of the snow"],
                Anchors = ["a snowdrift", "the fence", "a bare tree"],
                Moods = ["cold", "quiet"],
            },
            new()
            {
                Key = "garden", Scene = "in a garden", Lights = [Light.Day, Light.Golden, Light.Overcast, Light.Rain], Tags = ["grass", "trees", "home-out"],
                Fits = ["pet", "ducks", "fox"],
                Adv = ["in a garden", "in a small back garden", "in a leafy garden"],
                Clauses = ["The garden has a {neat|green|soft} lawn and {bright|colorful} flower beds along the fence.", "A {stone|brick} path runs between beds of {roses|lavender|tulips}."],
                Props = ["a {terracotta|clay} flower pot | sits", "a {green|red} watering can | stands", "a {wooden|white} bench | stands"],
                Anchors = ["the flower bed", "the garden fence", "an apple tree"],
                Moods = ["cheerful", "peaceful"],
            },
            new()
            {
                Key = "moonlight", Scene = "in the moonlight", Lights = [Light.Night], Time = TimeOfDay.Night, Tags = ["trees", "open"],
                Fits = ["wild", "night"],
                Adv = ["in the moonlight", "under a bright moon", "at night, in pale moonlight"],
                Clauses = ["Pale moonlight picks out the edges of the trees and the grass.", "Beyond {$obj}, the trees are dark shapes against a {deep blue|black} sky."],
                Props = ["a {fallen|old} log | lies", "a {tall|dark} pine | stands", "a fence post | stands"],
                Anchors = ["a dark tree", "a fallen log"],
                Moods = ["mysterious", "quiet"],
            },
            new()
            {
                Key = "pond", Scene = "at a pond", Lights = [Light.Dawn, Light.Day, Light.Golden, Light.Overcast, Light.Rain], Tags = ["water", "grass"],
                Fits = ["ducks", "dog", "deer"],
                Adv = ["at a pond", "at a small pond", "beside a quiet pond"],
                Clauses = ["The pond is {still|dark|green}, and lily pads float near the edge.", "Tall reeds and grasses grow around the edge of the pond."],
                Props = ["a {gray|white} heron | stands in the shallows", "a {wooden|small} jetty | reaches into the water", "a {large|smooth} stone | sits on the bank"],
                Anchors = ["the bank", "a clump of reeds", "a willow tree"],
                Moods = ["peaceful", "calm"],
            },
        ],
    };
}
