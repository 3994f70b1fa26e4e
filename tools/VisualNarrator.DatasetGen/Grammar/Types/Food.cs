namespace VisualNarrator.DatasetGen.Grammar.Types;

internal static class Food
{
    public static SceneType Create() => new()
    {
        Name = "food",
        Props =
        [
            "a {folded|linen|checkered} napkin | lies",
            "a {small|glass} salt shaker | stands",
            "a {silver|steel} fork | rests on the table",
        ],
        Subjects =
        [
            new()
            {
                Key = "ramen", Scene = "a bowl of ramen", Tags = ["savory", "hot", "asian"],
                Nps = ["a bowl of ramen", "a big bowl of ramen", "a deep bowl of noodle soup"],
                Def = ["the bowl", "the ramen", "the soup"],
                Verbs = ["sits at the centre of the frame", "fills the middle of the picture"],
                Clauses =
                [
                    "Thin noodles curl in a {rich|golden|cloudy} broth, with slices of pork and green onion on top.",
                    "The bowl is {dark|black|blue} ceramic with a {simple|glossy|speckled} glaze.",
                ],
                Props = ["a small dish of {chili oil|pickled ginger} | sits", "a {ceramic|porcelain} spoon | rests in the bowl"],
                Moods = ["warm", "cozy", "hearty", "inviting", "comforting"],
            },
            new()
            {
                Key = "pancakes", Scene = "a stack of pancakes", Tags = ["sweet", "breakfast", "hot"],
                Nps = ["a stack of pancakes", "a tall stack of fluffy pancakes", "a plate of pancakes"],
                Def = ["the pancakes", "the stack"],
                Verbs = ["sits on a white plate", "stands tall on a plate"],
                Clauses =
                [
                    "The pancakes are {golden|light brown} and {thick|soft|fluffy}, with a pat of butter melting on top.",
                    "Syrup runs down the sides of the stack and pools on the plate.",
                ],
                Props = ["a small jug of syrup | stands", "a {ceramic|white} bowl of blueberries | sits"],
                Moods = ["cheerful", "warm", "cozy", "homely", "inviting"],
            },
            new()
            {
                Key = "pizza", Scene = "a wood-fired pizza", Tags = ["savory", "hot", "sliced"],
                Nps = ["a wood-fired pizza", "a freshly baked pizza", "a round pizza straight from the oven"],
                Def = ["the pizza"],
                Verbs = ["sits on a wooden board", "fills a round wooden board"],
                Clauses =
                [
                    "The crust is {blistered|puffy|charred} at the edges, and the {red|bright} tomato sauce is dotted with melting mozzarella.",
                    "The cheese is {bubbling|golden|stretchy}, and the edges are {dark|crisp|charred} in places.",
                ],
                Props = ["a {steel|round} pizza cutter | lies on the board", "a small bowl of olive oil | sits"],
                Moods = ["rustic", "warm", "inviting", "hearty", "cheerful"],
            },
            new()
            {
                Key = "fruit", Scene = "a bowl of fresh fruit", Tags = ["sweet", "fresh", "breakfast"],
                Nps = ["a bowl of fresh fruit", "a bowl of mixed fruit", "a glass bowl of fresh fruit"],
                Def = ["the bowl", "the fruit"],
                Verbs = ["sits in the middle of the table", "fills the centre of the frame"],
                Clauses =
                [
                    "{Ripe|Bright|Glossy} strawberries, green kiwi slices, blueberries and orange mango fill the bowl.",
                    "The fruit is {fresh|glossy|juicy}, and a few drops of water still cling to the berries.",
                ],
                Props = ["a {small|ripe} banana | lies", "a {red|green} apple | sits"],
                Moods = ["fresh", "cheerful", "bright", "healthy", "vibrant"],
            },
            new()
            {
                Key = "bread", Scene = "a rustic loaf of bread", Tags = ["baked", "breakfast", "sliced"],
                Nps = ["a rustic loaf of bread", "a crusty loaf of homemade bread", "a round loaf of country bread"],
                Def = ["the loaf", "the bread"],
                Verbs = ["rests on a wooden board", "sits on a floury board"],
                Clauses =
                [
                    "The crust is {dark golden|deep brown|crackled} and {crisp|rough}, and a cut slice shows a {soft|airy|pale} inside.",
                    "A light dusting of flour covers the top of the loaf.",
                ],
                Props = ["a bread knife | lies on the board", "a small dish of butter | sits"],
                Moods = ["rustic", "homely", "warm", "simple", "cozy"],
            },
            new()
            {
                Key = "sushi", Scene = "a plate of sushi", Tags = ["savory", "asian", "fresh"],
                Nps = ["a plate of sushi", "a wooden board of sushi", "an assortment of sushi"],
                Def = ["the sushi", "the plate"],
                Verbs = ["is laid out in neat rows", "fills a long, narrow plate"],
                Clauses =
                [
                    "Neat rolls and slices of {pink|orange} salmon and {red|deep red} tuna are arranged in {tidy|careful} rows.",
                    "Each piece is small and precise, with {white|glossy} rice and a thin band of {dark|green} seaweed.",
                ],
                Props = ["a small dish of soy sauce | sits", "a {ceramic|small} cup of green tea | stands"],
                Moods = ["elegant", "fresh", "neat", "calm", "delicate"],
            },
            new()
            {
                Key = "cake", Scene = "a chocolate cake", Tags = ["sweet", "sliced", "baked"],
                Nps = ["a chocolate cake", "a rich chocolate layer cake", "a tall chocolate cake"],
                Def = ["the cake"],
                Verbs = ["stands on a glass cake stand", "sits on a white plate"],
                Clauses =
                [
                    "{Dark|Glossy} chocolate icing covers the sides, and the top is {smooth|swirled|decorated with curls}.",
                    "The layers inside are {dark|moist|soft}, with thin bands of cream between them.",
                ],
                Props = ["a cake server | lies on the plate", "a small plate with a fork | sits"],
                Moods = ["festive", "cheerful", "cozy", "indulgent", "inviting"],
            },
            new()
            {
                Key = "salad", Scene = "a green salad", Tags = ["savory", "fresh"],
                Nps = ["a green salad", "a large bowl of green salad", "a fresh garden salad"],
                Def = ["the salad", "the bowl"],
                Verbs = ["sits in a wide bowl", "fills a large wooden bowl"],
                Clauses =
                [
                    "Crisp {green|dark green} leaves are mixed with {red|cherry|yellow} tomatoes, {thin|sliced} cucumber and crumbled white cheese.",
                    "A light dressing makes the leaves {glossy|shiny}, and a few {black|green} olives sit on top.",
                ],
                Props = ["a {small|glass} jug of dressing | stands", "a pair of wooden salad servers | rests"],
                Moods = ["fresh", "healthy", "bright", "light", "vibrant"],
            },
            new()
            {
                Key = "coffee", Scene = "a cup of coffee", Tags = ["drink", "hot", "breakfast"],
                Nps = ["a cup of coffee", "a cup of hot coffee", "a large cup of coffee"],
                Def = ["the cup", "the coffee"],
                Verbs = ["sits on a small saucer", "stands on a saucer"],
                Clauses =
                [
                    "The coffee is {dark|rich|creamy}, with a {pale|delicate|simple} leaf pattern in the foam on top.",
                    "The cup is {white|pale blue|speckled} ceramic, with a small spoon resting on the saucer.",
                ],
                Props = ["a small croissant | sits on a plate", "a {small|paper} sugar packet | lies"],
                Moods = ["cozy", "calm", "warm", "relaxed", "quiet"],
            },
            new()
            {
                Key = "fish", Scene = "a whole grilled fish", Tags = ["savory", "hot"],
                Nps = ["a whole grilled fish", "a grilled fish on a platter", "a whole fish fresh from the grill"],
                Def = ["the fish"],
                Verbs = ["lies on a long platter", "rests on an oval plate"],
                Clauses =
                [
                    "The skin is {crisp|charred|golden} and striped from the grill, and fresh herbs are laid along its side.",
                    "The flesh is white and flaky where a piece has been pulled away.",
                ],
                Props = ["a bowl of {rice|roasted potatoes} | sits", "a small dish of sauce | sits"],
                Moods = ["rustic", "fresh", "hearty", "simple", "inviting"],
            },
            new()
            {
                Key = "croissants", Scene = "a basket of croissants", Tags = ["baked", "breakfast", "sweet"], Plural = false,
                Nps = ["a basket of croissants", "a small basket of fresh croissants", "a wicker basket of croissants"],
                Def = ["the basket", "the croissants"],
                Verbs = ["sits on the table", "is lined with a linen cloth"],
                Clauses =
                [
                    "The croissants are {golden|glossy|flaky} and {curved|plump}, with crisp layers at the tips.",
                    "Flakes of pastry have fallen onto the cloth around the basket.",
                ],
                Props = ["a small jar of {jam|honey} | stands", "a dish of butter | sits"],
                Moods = ["cozy", "warm", "inviting", "cheerful", "homely"],
            },
        ],
        Features =
        [
            new()
            {
                Key = "herbs", Scene = "with fresh herbs", Fits = ["savory"],
                With = ["with fresh herbs", "topped with fresh herbs", "sprinkled with chopped herbs"],
                Finite = ["{s:is|are} topped with fresh herbs", "{s:is|are} sprinkled with chopped herbs"],
                Clauses = ["Bright green {basil|parsley|coriander} leaves are scattered over the top, still fresh and glossy.", "A few sprigs of {thyme|rosemary|dill} lie across the top, adding a touch of green."],
            },
            new()
            {
                Key = "wine", Scene = "with a glass of red wine", Fits = ["pizza", "fish", "bread", "salad", "cake"], Places = ["meal"],
                With = ["with a glass of red wine", "next to a glass of red wine"],
                Finite = ["{s:sits|sit} beside a glass of red wine", "{s:is|are} served with a glass of red wine"],
                Clauses = ["The wine is a deep {ruby|crimson|dark red}, and light glows in the curve of the glass.", "A tall glass of red wine stands nearby, half full."],
                Anchors = ["the wine glass"],
            },
            new()
            {
                Key = "strawberries", Scene = "with sliced strawberries", Fits = ["pancakes", "cake", "croissants", "salad"],
                With = ["with sliced strawberries", "topped with fresh strawberries"],
                Finite = ["{s:is|are} topped with sliced strawberries"],
                Clauses = ["{Bright|Glossy} red strawberry slices spill over the top and down the sides.", "The strawberries are {ripe|glossy|bright red}, cut in neat halves."],
            },
            new()
            {
                Key = "steam", Scene = "with steam rising", Fits = ["hot"],
                With = ["with steam rising from {s:it|them}", "still steaming"],
                Finite = ["{s:is|are} still steaming"],
                Clauses = ["{Thin|Soft|Wispy} curls of steam rise into the air and catch the light.", "A little steam drifts up and blurs the background."],
            },
            new()
            {
                Key = "tea", Scene = "with a cup of tea", Fits = ["pancakes", "cake", "bread", "croissants", "fruit"],
                With = ["with a cup of tea", "served with a cup of tea"],
                Finite = ["{s:is|are} served with a cup of tea"],
                Clauses = ["A {white|blue|flowered|small} china cup of tea sits on a saucer, a spoon resting on its edge.", "The tea is {amber|pale brown|dark}, and a slice of lemon floats in it."],
                Anchors = ["the teacup"],
            },
            new()
            {
                Key = "chopsticks", Scene = "with chopsticks", Fits = ["asian", "salad"],
                With = ["with a pair of chopsticks", "with chopsticks laid beside {s:it|them}"],
                Finite = ["{s:has|have} a pair of chopsticks laid beside {s:it|them}"],
                Clauses = ["A pair of {lacquered|wooden|dark} chopsticks rests on a small {ceramic|stone} holder.", "The chopsticks are {black|red|pale wooden} and {smooth|polished}."],
                Anchors = ["the chopstick rest"],
            },
            new()
            {
                Key = "slice", Scene = "with one slice cut", Fits = ["sliced"],
                With = ["with one slice cut", "with a slice cut out"],
                Finite = ["{s:has|have} one slice cut out"],
                Clauses = ["One slice has been cut and pulled slightly away, showing the inside.", "The cut slice rests on a small plate, with a few crumbs around it."],
            },
            new()
            {
                Key = "lemon", Scene = "with lemon wedges", Fits = ["fish", "salad", "sushi", "fruit"],
                With = ["with lemon wedges", "served with wedges of lemon"],
                Finite = ["{s:is|are} served with wedges of lemon"],
                Clauses = ["{Bright|Pale} yellow lemon wedges sit at the edge of the plate, ready to squeeze.", "The lemon wedges are {juicy|bright|glossy}, their yellow skin a sharp contrast to the rest."],
                Anchors = ["a lemon wedge"],
            },
            new()
            {
                Key = "butter", Scene = "with melted butter", Fits = ["pancakes", "bread", "fish", "croissants"],
                With = ["with melted butter", "glistening with melted butter"],
                Finite = ["{s:is|are} glistening with melted butter"],
                Clauses = ["Melted butter {pools|glistens} on top and runs down in {golden|shiny} streaks.", "A soft pat of butter is slowly melting, leaving a {glossy|shiny} trail."],
            },
            new()
            {
                Key = "sesame", Scene = "with sesame seeds", Fits = ["asian", "salad", "bread"],
                With = ["with sesame seeds", "sprinkled with sesame seeds"],
                Finite = ["{s:is|are} sprinkled with sesame seeds"],
                Clauses = ["Tiny {white|pale|toasted} sesame seeds are scattered across the top.", "The sesame seeds are lightly toasted and {golden|pale brown}."],
            },
        ],
        Contexts =
        [
            new()
            {
                Key = "window-table", Scene = "on a wooden table by a window", Lights = [Light.Day, Light.Golden, Light.Overcast, Light.Rain], Indoor = true, Tags = ["meal"],
                Adv = ["on a wooden table by a window", "on a table next to a window", "on an old wooden table beside a window"],
                Clauses = ["The table is {old|scrubbed|worn} wood, {pale|rough|smooth} and full of small scratches.", "Beyond the glass, the world outside is {soft|blurred|out of focus}."],
                Props = ["a {small|green} plant | sits on the windowsill", "a {white|blue} jug of flowers | stands"],
                Anchors = ["the window", "the edge of the table", "the windowsill"],
                Moods = ["calm", "homely"],
            },
            new()
            {
                Key = "candlelit", Scene = "at a candlelit dinner", Lights = [Light.Night], Time = TimeOfDay.Evening, Indoor = true, Fits = ["savory", "cake", "drink", "bread"], Tags = ["meal"],
                LightClauses = ["The only light comes from the candles, warm and {golden|soft|flickering}, leaving the room around the table {dim|dark}.", "Candlelight {glows|flickers} on the glasses and the cutlery, and the background is {dark|dim}."],
                Adv = ["at a candlelit dinner", "on a dinner table lit by candles", "at a dinner by candlelight"],
                Clauses = ["Two {tall|white|slim} candles burn on the table, their flames {steady|soft|flickering}.", "The table is laid with a {white|cream|dark} cloth, polished glasses and silver cutlery."],
                Props = ["a {tall|white} candle | burns", "a {small|glass} vase of roses | stands"],
                Anchors = ["the candles", "a wine bottle", "the edge of the table"],
                Moods = ["romantic", "elegant"],
            },
            new()
            {
                Key = "picnic", Scene = "on a picnic blanket in the park", Lights = [Light.Day, Light.Golden], Tags = ["meal"],
                Fits = ["fruit", "bread", "cake", "croissants", "salad", "pizza", "sushi", "coffee"],
                Adv = ["on a picnic blanket in the park", "on a blanket in the park", "on a checkered picnic blanket"],
                Clauses = ["The blanket is {red and white|blue and white} checkered and spread on {green|soft} grass.", "Behind the blanket, trees and a stretch of lawn fade out of focus."],
                Props = ["a wicker picnic basket | sits on the blanket", "a {glass|plastic} bottle of lemonade | stands", "a {red|green} apple | rolls on the grass"],
                Anchors = ["the picnic basket", "the edge of the blanket", "a nearby tree"],
                Moods = ["cheerful", "relaxed"],
            },
            new()
            {
                Key = "night-market", Scene = "at a night market stall", Lights = [Light.Night], Time = TimeOfDay.Night, Fits = ["savory", "hot"], Tags = ["meal"],
                Adv = ["at a night market stall", "at a busy stall in a night market", "at a street food stall at night"],
                Clauses = ["Strings of bulbs and {red|paper|round} lanterns hang over the stall.", "Around the stall, people queue and chat, lit by {warm|bright|yellow} lamps."],
                Props = ["a stack of {paper|plastic} plates | sits", "a steaming pot | bubbles on a burner", "a {red|paper} lantern | hangs"],
                Anchors = ["the stall counter", "a hot grill", "the lanterns"],
                Moods = ["lively", "busy"],
            },
            new()
            {
                Key = "terrace", Scene = "on a cafe terrace", Lights = [Light.Day, Light.Golden, Light.Overcast], Tags = ["meal"],
                Adv = ["on a cafe terrace", "at a table on a cafe terrace", "on a sunny cafe terrace"],
                Clauses = ["The table is small and round, with {green|black|white} metal chairs around it.", "Behind the table, the street is a soft blur of passing people."],
                Props = ["a {striped|cream} umbrella | shades the table", "a {small|potted} olive tree | stands", "a folded newspaper | lies on a chair"],
                Anchors = ["the umbrella", "the edge of the terrace", "a metal chair"],
                Moods = ["relaxed", "cheerful"],
            },
            new()
            {
                Key = "counter", Scene = "on a marble kitchen counter", Lights = [Light.Day, Light.Night, Light.Overcast], Indoor = true, Tags = ["meal"],
                Adv = ["on a marble kitchen counter", "on a white marble counter", "on a kitchen counter"],
                Clauses = ["The counter is {smooth|polished|cool} white marble with {gray|faint} veins.", "Behind it, the kitchen is clean and bright, with {white|pale} cabinets."],
                Props = ["a {wooden|bamboo} cutting board | lies", "a {copper|steel} pan | hangs on the wall", "a jar of {wooden spoons|utensils} | stands"],
                Anchors = ["the cutting board", "the sink", "the tiled wall"],
                Moods = ["clean", "modern"],
            },
            new()
            {
                Key = "restaurant", Scene = "in a busy restaurant", Lights = [Light.Night, Light.Day], Indoor = true, Fits = ["savory", "cake", "drink"], Tags = ["meal"],
                Adv = ["in a busy restaurant", "at a table in a busy restaurant", "in a crowded restaurant"],
                Clauses = ["Behind the table, waiters move between crowded tables, slightly blurred.", "The restaurant has {dark|wooden} furniture, {white|cream} tablecloths and low {hanging|warm} lights."],
                Props = ["a {glass|tall} carafe of water | stands", "a {small|white} vase with a single flower | sits", "a basket of bread | sits"],
                Anchors = ["the next table", "the water glasses", "the edge of the table"],
                Moods = ["lively", "warm"],
            },
            new()
            {
                Key = "farmhouse", Scene = "at a rustic farmhouse table", Lights = [Light.Day, Light.Golden, Light.Rain], Indoor = true, Tags = ["meal"],
                Adv = ["at a rustic farmhouse table", "on a long farmhouse table", "on a rough wooden farmhouse table"],
                Clauses = ["The table is {thick|heavy|old} planks of wood, {scarred|worn|knotted} and full of character.", "Behind the table, a dresser holds rows of {blue and white|painted|old} plates."],
                Props = ["a {ceramic|clay} jug of milk | stands", "a {small|wooden} bowl of eggs | sits", "a {linen|checkered} cloth | lies"],
                Anchors = ["the dresser", "the end of the table", "a wooden bench"],
                Moods = ["rustic", "homely"],
            },
            new()
            {
                Key = "breakfast-tray", Scene = "on a breakfast tray", Lights = [Light.Day, Light.Dawn], Time = TimeOfDay.Morning, Indoor = true, Fits = ["breakfast"],
                Adv = ["on a breakfast tray", "on a wooden breakfast tray in bed", "on a breakfast tray by the bed"],
                Clauses = ["The tray rests on {white|rumpled|soft} sheets, beside a {knitted|gray} blanket.", "A small vase with a single {yellow|pink|white} flower stands on one corner of the tray."],
                Props = ["a {small|tall} glass of orange juice | stands", "a folded napkin | lies", "a {small|white} vase with a flower | stands"],
                Anchors = ["the corner of the tray", "the pillows", "the edge of the bed"],
                Moods = ["cozy", "relaxed"],
            },
        ],
    };
}
