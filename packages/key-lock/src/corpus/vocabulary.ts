/**
 * Word lists of the built-in caption grammar. Written for this project; plain English phrases of
 * the kinds that appear in image captions and text-to-image prompts.
 */

/** People, as noun phrases without an article. */
export const PEOPLE: readonly string[] = [
  'young woman', 'old man', 'little girl', 'little boy', 'teenager', 'grandmother', 'grandfather', 'chef',
  'firefighter', 'surfer', 'skateboarder', 'ballet dancer', 'astronaut', 'knight in armor', 'fisherman', 'farmer',
  'street musician', 'painter', 'scientist', 'doctor', 'nurse', 'soldier', 'pilot', 'sailor', 'mountain climber',
  'cyclist', 'runner', 'baker', 'librarian', 'student', 'businessman', 'businesswoman', 'gardener', 'photographer',
  'wizard', 'pirate', 'princess', 'cowboy', 'samurai', 'monk', 'clown', 'detective', 'mechanic', 'carpenter',
  'jazz singer', 'violinist', 'tennis player', 'soccer player', 'basketball player', 'boxer', 'yoga teacher',
  'couple', 'family', 'group of friends', 'crowd of people', 'man with a beard', 'woman with curly hair',
  'child in a raincoat', 'girl with freckles', 'boy in a baseball cap',
];

/** What people do. */
export const PEOPLE_ACTIONS: readonly string[] = [
  'reading a book', 'riding a bicycle', 'cooking dinner', 'playing the guitar', 'drinking coffee', 'walking a dog',
  'holding an umbrella', 'taking a selfie', 'painting a canvas', 'dancing', 'laughing', 'running', 'sitting on a bench',
  'waiting for a bus', 'looking out of a window', 'carrying a basket of apples', 'flying a kite', 'playing chess',
  'writing in a notebook', 'talking on the phone', 'eating an ice cream cone', 'fishing from a pier', 'hiking',
  'skiing down a slope', 'surfing a large wave', 'climbing a rock wall', 'juggling', 'singing into a microphone',
  'playing the piano', 'typing on a laptop', 'feeding pigeons', 'watering plants', 'building a sandcastle',
  'pushing a shopping cart', 'sleeping in a hammock', 'jumping into a pool', 'wearing a red scarf',
  'wearing sunglasses', 'wearing a yellow raincoat', 'in a blue suit', 'in a wedding dress', 'wearing a straw hat',
  'smiling at the camera', 'looking at the stars', 'lighting a candle', 'riding a horse', 'rowing a boat',
  'kneading bread dough', 'fixing a car engine', 'planting a tree', 'throwing a frisbee',
];

/** Animals, singular, without an article. */
export const ANIMALS: readonly string[] = [
  'cat', 'kitten', 'dog', 'puppy', 'horse', 'pony', 'owl', 'fox', 'rabbit', 'bear', 'panda', 'koala', 'lion', 'tiger',
  'elephant', 'giraffe', 'zebra', 'monkey', 'gorilla', 'wolf', 'deer', 'moose', 'squirrel', 'hedgehog', 'raccoon',
  'otter', 'seal', 'penguin', 'parrot', 'eagle', 'hummingbird', 'flamingo', 'swan', 'duck', 'chicken', 'rooster',
  'cow', 'pig', 'sheep', 'goat', 'llama', 'camel', 'kangaroo', 'turtle', 'frog', 'lizard', 'snake', 'goldfish',
  'dolphin', 'whale', 'octopus', 'jellyfish', 'butterfly', 'bee', 'ladybug', 'dragonfly', 'hamster', 'mouse',
  'corgi', 'golden retriever', 'german shepherd', 'poodle', 'pug', 'husky', 'dachshund', 'tabby cat', 'siamese cat',
  'black cat', 'persian cat', 'border collie', 'beagle', 'shiba inu', 'red panda', 'polar bear', 'sloth', 'peacock',
];

/** What animals do. */
export const ANIMAL_ACTIONS: readonly string[] = [
  'sleeping', 'running', 'jumping', 'sitting', 'eating', 'playing with a ball', 'looking at the camera', 'yawning',
  'curled up', 'standing on its hind legs', 'swimming', 'flying', 'hiding behind a tree', 'drinking water',
  'chasing a butterfly', 'rolling in the grass', 'wearing a tiny hat', 'wearing a knitted sweater', 'with its tongue out',
  'peeking out of a box', 'lying in the sun', 'climbing a tree', 'catching a frisbee', 'splashing in a puddle',
  'grooming itself', 'stretching', 'perched on a branch', 'walking through tall grass', 'staring out of a window',
  'sniffing a flower', 'carrying a stick', 'resting its head on a pillow', 'in a wicker basket', 'with a red collar',
  'next to its reflection', 'tangled in yarn', 'wearing a bow tie', 'with snow on its fur',
];

/** Objects, without an article. */
export const OBJECTS: readonly string[] = [
  'teapot', 'coffee mug', 'bicycle', 'guitar', 'violin', 'lamp', 'backpack', 'clock', 'alarm clock', 'camera',
  'typewriter', 'vase of flowers', 'pair of sneakers', 'leather boot', 'umbrella', 'chair', 'armchair', 'sofa',
  'bookshelf', 'stack of books', 'candle', 'lantern', 'globe', 'telescope', 'microscope', 'piano', 'record player',
  'radio', 'television', 'laptop', 'smartphone', 'pair of glasses', 'wristwatch', 'necklace', 'ring', 'crown',
  'sword', 'shield', 'teddy bear', 'rubber duck', 'toy robot', 'toy car', 'kite', 'skateboard', 'surfboard',
  'basketball', 'soccer ball', 'chess board', 'hourglass', 'compass', 'key', 'padlock', 'mailbox', 'bench',
  'fountain', 'statue', 'sculpture', 'mirror', 'window', 'door', 'treasure chest', 'suitcase', 'hat', 'scarf',
  'wine glass', 'bottle', 'jar of honey', 'basket', 'bucket', 'watering can', 'wheelbarrow', 'flower pot',
  'paper lantern', 'origami crane', 'snow globe', 'birdhouse', 'sand castle', 'hot air balloon', 'robot',
  'pottery bowl', 'ceramic plate', 'cast iron pan', 'wooden spoon', 'kettle', 'toaster', 'sewing machine',
];

/** Vehicles, without an article. */
export const VEHICLES: readonly string[] = [
  'car', 'vintage car', 'sports car', 'pickup truck', 'fire truck', 'school bus', 'double decker bus', 'tram',
  'steam train', 'bullet train', 'motorcycle', 'scooter', 'sailboat', 'rowboat', 'fishing boat', 'cargo ship',
  'submarine', 'airplane', 'helicopter', 'rocket', 'tractor', 'bulldozer', 'taxi', 'ambulance', 'camper van',
];

/** Food and drink, without an article. */
export const FOODS: readonly string[] = [
  'bowl of ramen', 'slice of pizza', 'cupcake', 'birthday cake', 'stack of pancakes', 'cup of tea', 'latte',
  'croissant', 'loaf of bread', 'bowl of fruit', 'plate of sushi', 'hamburger', 'taco', 'salad', 'bowl of soup',
  'chocolate bar', 'ice cream sundae', 'glass of orange juice', 'cheese board', 'basket of strawberries', 'pie',
  'donut', 'bowl of cereal', 'plate of spaghetti', 'watermelon', 'pineapple', 'apple', 'lemon', 'avocado toast',
  'cup of hot chocolate', 'bento box', 'dumplings', 'roast chicken', 'omelette', 'smoothie',
];

/** Buildings and landmarks, without an article. */
export const BUILDINGS: readonly string[] = [
  'lighthouse', 'cathedral', 'log cabin', 'castle', 'stone bridge', 'windmill', 'skyscraper', 'farmhouse', 'barn',
  'temple', 'pagoda', 'mosque', 'treehouse', 'greenhouse', 'train station', 'bakery', 'bookstore', 'cafe', 'library',
  'museum', 'tower', 'palace', 'ruined abbey', 'cottage', 'igloo', 'tent', 'houseboat', 'gas station', 'diner',
  'observatory', 'water tower', 'suspension bridge', 'apartment building', 'market stall', 'ferris wheel',
];

/** Plants and natural things, without an article. */
export const PLANTS: readonly string[] = [
  'sunflower', 'cactus', 'oak tree', 'bonsai tree', 'cherry blossom tree', 'rose', 'tulip', 'lotus flower', 'fern',
  'palm tree', 'pine tree', 'willow tree', 'mushroom', 'bouquet of wildflowers', 'lavender bush', 'orchid',
  'maple leaf', 'pumpkin', 'waterfall', 'mountain', 'volcano', 'glacier', 'river', 'lake', 'canyon', 'sand dune',
  'coral reef', 'iceberg', 'rainbow', 'thunderstorm',
];

/** Colours. */
export const COLORS: readonly string[] = [
  'red', 'blue', 'green', 'yellow', 'orange', 'purple', 'pink', 'white', 'black', 'gray', 'brown', 'golden', 'silver',
  'turquoise', 'teal', 'navy blue', 'crimson', 'pastel', 'bright', 'dark', 'rusty', 'emerald', 'beige', 'lavender',
  'mint green', 'coral',
];

/** Materials and surface qualities of objects. */
export const MATERIALS: readonly string[] = [
  'wooden', 'ceramic', 'glass', 'metal', 'plastic', 'knitted', 'leather', 'marble', 'stone', 'paper', 'porcelain',
  'brass', 'copper', 'velvet', 'crystal', 'wicker', 'bamboo', 'clay', 'chrome', 'rusted', 'painted', 'handmade',
  'antique', 'vintage', 'modern', 'broken', 'shiny', 'polished', 'weathered', 'tiny', 'giant', 'miniature', 'old',
  'brand new', 'colorful', 'translucent', 'glowing', 'fluffy', 'wet', 'dusty',
];

/** Adjectives for animals. */
export const ANIMAL_ADJECTIVES: readonly string[] = [
  'fluffy', 'tiny', 'sleepy', 'spotted', 'striped', 'old', 'young', 'curious', 'happy', 'grumpy', 'majestic', 'wet',
  'muddy', 'playful', 'shy', 'chubby', 'skinny', 'cute', 'wild', 'baby', 'white', 'black', 'brown', 'gray', 'ginger',
];

/** Places, as prepositional phrases. */
export const PLACES: readonly string[] = [
  'on a sandy beach', 'in a snowy forest', 'on a kitchen table', 'in a busy city street', 'in a field of flowers',
  'next to a window', 'on a wooden porch', 'in a living room', 'in a library', 'in a cozy bedroom', 'on a mountain top',
  'by a lake', 'in a garden', 'in a park', 'on a city rooftop', 'in a subway station', 'in a desert', 'in the jungle',
  'under the sea', 'in outer space', 'on the moon', 'in a medieval village', 'in a futuristic city', 'at a train station',
  'in a small cafe', 'at a farmers market', 'on a rocky cliff', 'in a bamboo forest', 'on a frozen lake',
  'in a wheat field', 'on a country road', 'in a neon-lit alley', 'in an old barn', 'on a sailboat deck',
  'in a classroom', 'in a hospital corridor', 'in a greenhouse', 'on a stage', 'in a museum hall', 'at a bus stop',
  'on a bridge', 'in the mountains', 'in a vineyard', 'on an island', 'in a cave', 'by a campfire', 'in the rain',
  'in a swimming pool', 'on a snowy street', 'in an autumn forest', 'in a tulip field', 'on a picnic blanket',
  'in front of a brick wall', 'in front of a red door', 'on a marble floor', 'on a white background',
  'on a black background', 'in a studio', 'at the edge of a waterfall', 'in a castle courtyard', 'on a pier',
  'in a rice paddy', 'in a laundromat', 'in a bakery', 'on a bookshelf', 'on a desk', 'on a windowsill',
  'on a bed', 'under a tree', 'in a toy store', 'in a workshop', 'in a kitchen', 'on a balcony', 'in a hot air balloon',
  'in a canoe', 'on a train', 'in the back seat of a car', 'at a wedding', 'at a birthday party', 'in a temple',
];

/** Surfaces for still lifes. */
export const SURFACES: readonly string[] = [
  'a wooden table', 'a marble counter', 'a picnic blanket', 'a windowsill', 'a desk', 'a bookshelf', 'a stone wall',
  'a kitchen shelf', 'the grass', 'the sand', 'a checkered tablecloth', 'a velvet cushion', 'a glass table',
];

/** Time of day, weather and season. */
export const TIMES: readonly string[] = [
  'at sunset', 'at sunrise', 'at night', 'at dawn', 'at dusk', 'at noon', 'in the rain', 'in the snow', 'in the fog',
  'on a foggy morning', 'under a starry sky', 'under a full moon', 'on a sunny day', 'on a cloudy day', 'in autumn',
  'in winter', 'in spring', 'in summer', 'during a thunderstorm', 'in the golden hour', 'in the blue hour',
  'during a sandstorm', 'under cherry blossoms', 'on a windy afternoon', 'by candlelight',
];

/** Leading style phrases ("… of"). */
export const STYLES: readonly string[] = [
  'a photo of', 'a close-up photo of', 'a black and white photo of', 'a polaroid of', 'a blurry photo of',
  'a professional photo of', 'a candid photo of', 'an oil painting of', 'a watercolor painting of',
  'a pencil sketch of', 'a charcoal drawing of', 'an ink drawing of', 'a 3d render of', 'a digital illustration of',
  "a children's book illustration of", 'a pixel art image of', 'a claymation still of', 'a stained glass window of',
  'a low poly model of', 'a woodblock print of', 'a comic book panel of', 'a mosaic of', 'a vintage postcard of',
  'a studio portrait of', 'a cartoon of', 'an anime drawing of', 'a concept art painting of', 'a vector icon of',
  'a tattoo design of', 'an embroidery of', 'a paper cutout of', 'a crayon drawing of', 'a marble statue of',
  'a cinematic still of', 'a travel poster of', 'a minimalist poster of', 'a graffiti mural of', 'a tapestry of',
  'a snapshot of', 'a picture of', 'an image of', 'a painting of', 'a drawing of', 'a sculpture of', 'a render of',
];

/** Trailing style phrases. */
export const STYLE_SUFFIXES: readonly string[] = [
  'in the style of impressionism', 'in art nouveau style', 'in cyberpunk style', 'in steampunk style',
  'in a minimalist style', 'in the style of a renaissance painting', 'in pop art style', 'in art deco style',
  'in the style of a japanese print', 'in a surreal style', 'in a baroque style', 'in a cubist style',
  'as a fantasy illustration', 'as a retro video game sprite', 'as a vintage travel poster', 'in pastel colors',
  'in muted tones', 'in vibrant colors', 'in sepia tones', 'with bold outlines', 'with soft brush strokes',
  'trending on artstation', 'highly detailed', 'matte painting', 'unreal engine', 'octane render', 'isometric view',
  'flat design', 'line art', 'hand drawn',
];

/** Photographic terms. */
export const PHOTO_TERMS: readonly string[] = [
  '35mm film', 'shallow depth of field', 'bokeh', 'wide angle lens', 'macro shot', 'studio lighting',
  'soft natural light', 'golden hour lighting', 'high detail', '4k', 'dslr', 'f/1.8', 'long exposure', 'tilt-shift',
  'overhead shot', 'low angle shot', 'aerial view', 'symmetrical composition', 'award-winning photograph',
  'sharp focus', 'film grain', 'backlit', 'rim lighting', 'dramatic shadows', 'hdr', 'telephoto lens',
  'motion blur', 'portrait mode', 'fisheye lens', 'kodak portra 400', 'instant film', 'high contrast',
  'soft focus', 'cinematic lighting', 'volumetric light', 'rule of thirds', 'close-up', 'full body shot',
  'medium shot', 'candid shot', 'natural colors', 'overexposed', 'underexposed',
];

/** Verbs of placement for objects. */
export const PLACEMENTS: readonly string[] = [
  'sitting', 'resting', 'lying', 'standing', 'placed', 'hanging', 'floating', 'balanced', 'half buried', 'left',
];

/** Numbers for plural captions. */
export const NUMBERS: readonly string[] = ['two', 'three', 'four', 'five', 'a few', 'several', 'a pair of', 'a group of', 'many'];

/** Irregular plurals of the subjects; the rest add -s / -es. */
export const IRREGULAR_PLURALS: Readonly<Record<string, string>> = Object.freeze({
  mouse: 'mice', sheep: 'sheep', deer: 'deer', moose: 'moose', goldfish: 'goldfish', 'teddy bear': 'teddy bears',
  'pair of sneakers': 'pairs of sneakers', 'pair of glasses': 'pairs of glasses', 'stack of books': 'stacks of books',
  'vase of flowers': 'vases of flowers', 'jar of honey': 'jars of honey', 'cup of tea': 'cups of tea',
  'bowl of ramen': 'bowls of ramen', 'slice of pizza': 'slices of pizza', 'bowl of fruit': 'bowls of fruit',
  'loaf of bread': 'loaves of bread', 'plate of sushi': 'plates of sushi', 'bowl of soup': 'bowls of soup',
  'glass of orange juice': 'glasses of orange juice', 'basket of strawberries': 'baskets of strawberries',
  'bowl of cereal': 'bowls of cereal', 'plate of spaghetti': 'plates of spaghetti', 'cup of hot chocolate': 'cups of hot chocolate',
  'stack of pancakes': 'stacks of pancakes', 'knight in armor': 'knights in armor', 'child in a raincoat': 'children in raincoats',
  'man with a beard': 'men with beards', 'woman with curly hair': 'women with curly hair', 'girl with freckles': 'girls with freckles',
  'boy in a baseball cap': 'boys in baseball caps', 'young woman': 'young women', 'old man': 'old men', 'businessman': 'businessmen',
  'businesswoman': 'businesswomen', 'fisherman': 'fishermen', 'wolf': 'wolves', 'leaf': 'leaves', 'knife': 'knives',
  'family': 'families', 'butterfly': 'butterflies', 'dragonfly': 'dragonflies', 'pony': 'ponies', 'puppy': 'puppies',
  'strawberry': 'strawberries', 'cherry blossom tree': 'cherry blossom trees', 'group of friends': 'groups of friends',
  'crowd of people': 'crowds of people', 'couple': 'couples', 'little girl': 'little girls', 'little boy': 'little boys',
  'maple leaf': 'maple leaves', 'bonsai tree': 'bonsai trees', 'ladybug': 'ladybugs',
});
