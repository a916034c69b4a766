import { createRandom, type Random } from './random.ts';
import type { Vote } from './tally.ts';

/*
 * A small evaluation dataset written for Tessera: 36 prompts, each answered by five fictional
 * models of known, different strength, and a seeded vote simulator that follows those strengths.
 * Tests and demos use it to check that a leaderboard recovers the known order. The texts are
 * original; the models do not exist.
 */

/** The fictional models and their true ratings (Elo scale, mean 1000), strongest first. */
export const SAMPLE_MODELS = [
  { model: 'lumen-large', rating: 1200 },
  { model: 'quill-pro', rating: 1100 },
  { model: 'harbor-7', rating: 1000 },
  { model: 'pebble-mini', rating: 900 },
  { model: 'sprout-nano', rating: 800 },
] as const;

export type SampleModel = (typeof SAMPLE_MODELS)[number]['model'];

/** Each prompt with a careful answer and a weak one; the models' responses are built from them. */
const PROMPTS: Array<{ prompt: string; good: string; weak: string }> = [
  { prompt: 'Why does ice float on water?', good: 'Ice is less dense than liquid water: as it freezes, hydrogen bonds hold the molecules in an open hexagonal lattice. Anything less dense than the liquid around it floats.', weak: 'Because ice is light.' },
  { prompt: 'How many minutes are there in a week?', good: 'There are 10,080 minutes in a week: 7 days × 24 hours × 60 minutes. A day alone has 1,440.', weak: 'About ten thousand.' },
  { prompt: 'What is the difference between weather and climate?', good: 'Weather is the state of the atmosphere over hours or days; climate is the pattern of that weather averaged over decades. A cold week says little about the climate.', weak: 'They mean the same thing.' },
  { prompt: 'Suggest a name for a bakery that sells only bread.', good: 'Try "Crumb & Crust": short, easy to say, and it names both halves of a good loaf. "The Daily Rise" works if you want a morning feel.', weak: 'Bread Shop.' },
  { prompt: 'Explain what a prime number is to a ten-year-old.', good: 'A prime number can only be split into equal groups in one boring way: groups of one, or one big group. Seven sweets cannot be shared fairly between two, three or more friends, so seven is prime.', weak: 'A number that is special.' },
  { prompt: 'Why do we have leap years?', good: 'Earth takes about 365.24 days to go round the Sun. Adding a day every four years (skipping most century years) keeps the calendar in step with the seasons.', weak: 'To make February longer.' },
  { prompt: 'Give one tip for writing a clear email.', good: 'Put the request in the first two lines, and say what you need and by when. Readers who stop early still know what to do.', weak: 'Write well.' },
  { prompt: 'What does a thermostat do?', good: 'A thermostat measures the temperature and switches heating or cooling on or off to hold a set point. It is a simple feedback controller.', weak: 'It makes the room hot.' },
  { prompt: 'Why is the sky blue during the day?', good: 'Air molecules scatter short blue wavelengths of sunlight much more than red ones (Rayleigh scattering), so blue light reaches our eyes from every direction of the sky.', weak: 'Because it reflects the sea.' },
  { prompt: 'Translate "good morning" into Spanish and French.', good: 'Spanish: "buenos días". French: "bonjour", which is used all day, not only in the morning.', weak: 'Hola and salut.' },
  { prompt: 'What is compound interest?', good: 'Compound interest is interest earned on earlier interest as well as on the original sum. 100 at 10% a year becomes 110, then 121, then 133.10.', weak: 'Interest that is complicated.' },
  { prompt: 'How do vaccines train the immune system?', good: 'A vaccine shows the immune system a harmless piece or version of a germ. The body makes antibodies and memory cells, so a later real infection is recognised and fought off quickly.', weak: 'They kill the germs directly.' },
  { prompt: 'Write a one-line summary of the story of the tortoise and the hare.', good: 'A boastful hare naps mid-race and loses to a tortoise who never stops: steady effort beats fast but careless talent.', weak: 'Two animals race.' },
  { prompt: 'What is the boiling point of water at sea level in Fahrenheit?', good: 'Water boils at 212 °F (100 °C) at sea level. At altitude the air pressure is lower, so it boils at a lower temperature.', weak: 'About 100 degrees.' },
  { prompt: 'Why do cats purr?', good: 'Cats purr by rapidly twitching their larynx muscles while breathing. They purr when content, but also when stressed or hurt, so it may be a self-soothing signal as much as a happy one.', weak: 'Because they are happy.' },
  { prompt: 'Name three renewable sources of energy.', good: 'Solar, wind and hydroelectric power. Geothermal and tidal energy are renewable too.', weak: 'Coal, sun and wind.' },
  { prompt: 'How should I store fresh basil?', good: 'Treat it like cut flowers: stems in a glass of water at room temperature, loosely covered. The fridge blackens the leaves.', weak: 'Put it in the freezer.' },
  { prompt: 'What is a haiku?', good: 'A haiku is a short Japanese poem of three lines with five, seven and five syllables, usually about a moment in nature or a season.', weak: 'A long poem.' },
  { prompt: 'Why does a spoon look bent in a glass of water?', good: 'Light changes speed and direction when it passes from water into air (refraction), so the underwater part of the spoon appears shifted from where it is.', weak: 'The water bends the spoon.' },
  { prompt: 'Give me a quick way to check if a number is divisible by 3.', good: 'Add its digits: if the sum is divisible by 3, so is the number. 471 gives 4 + 7 + 1 = 12, so 471 is divisible by 3.', weak: 'Check if it is odd.' },
  { prompt: 'What causes the seasons?', good: "Earth's axis is tilted about 23.4°. As Earth orbits, each hemisphere takes turns leaning toward the Sun, getting longer days and more direct sunlight: that is summer.", weak: 'Earth gets closer to the Sun in summer.' },
  { prompt: 'Explain what a password manager is.', good: 'A password manager stores a different strong password for every site in an encrypted vault, unlocked with one master password, and fills them in for you.', weak: 'A notebook for passwords.' },
  { prompt: 'How long should I boil an egg for a runny yolk?', good: 'About six minutes for a large egg lowered into water that is already boiling, then a minute in cold water to stop the cooking.', weak: 'Twenty minutes.' },
  { prompt: 'What is the largest planet in our solar system?', good: 'Jupiter. It is more than twice as massive as all the other planets combined.', weak: 'Saturn.' },
  { prompt: 'Why do onions make people cry?', good: 'Cutting an onion releases enzymes that produce a volatile sulfur compound; it reaches the eyes and irritates them, and tears wash it away. A sharp knife crushes fewer cells.', weak: 'Onions are sad.' },
  { prompt: 'Describe photosynthesis in one sentence.', good: 'Plants use the energy of sunlight to turn carbon dioxide and water into sugar, releasing oxygen.', weak: 'Plants eat sunlight.' },
  { prompt: 'What does HTTP stand for?', good: 'HyperText Transfer Protocol: the rules browsers and servers use to request and send web pages. HTTPS is the same protocol over an encrypted connection.', weak: 'High Tech Transfer Page.' },
  { prompt: 'How can I fall asleep faster?', good: 'Keep a regular wake-up time, dim screens an hour before bed, and keep the room cool and dark. If you lie awake for long, get up and read until you feel sleepy.', weak: 'Drink coffee.' },
  { prompt: 'Why is the ocean salty?', good: 'Rain slowly dissolves minerals from rocks and rivers carry them to the sea. Water evaporates but the salts stay behind, so they have built up over millions of years.', weak: 'Because of fish.' },
  { prompt: 'What is the square root of 144?', good: '12, because 12 × 12 = 144. (−12 squared is also 144.)', weak: '14.' },
  { prompt: 'Suggest a five-minute stretch for someone who sits all day.', good: 'Stand and roll your shoulders ten times, reach both arms overhead, then do a slow neck tilt to each side and a standing hamstring stretch, holding each for 30 seconds.', weak: 'Sit more.' },
  { prompt: 'What is the main job of red blood cells?', good: 'Red blood cells carry oxygen from the lungs to the tissues, bound to haemoglobin, and bring some carbon dioxide back.', weak: 'Fighting infections.' },
  { prompt: 'Why do bicycles stay upright when moving?', good: 'Mostly because riders steer into a fall without noticing; the bike’s geometry helps by turning the front wheel into the lean. Gyroscopic effects play only a small part.', weak: 'Magic.' },
  { prompt: 'What is a good first programming language and why?', good: 'Python is a good start: readable syntax, instant feedback in an interpreter, and a huge set of beginner material. The ideas carry over to other languages.', weak: 'Assembly, it is easy.' },
  { prompt: 'How do I politely decline a meeting?', good: 'Thank them, say you cannot attend, and offer something useful instead: "Thanks for including me. I can’t make Thursday, but I can send my notes beforehand."', weak: 'Just ignore it.' },
  { prompt: 'What makes a rainbow?', good: 'Sunlight enters raindrops, bends, reflects off the back of each drop and bends again on the way out. Each colour bends by a slightly different angle, so the colours fan out into an arc.', weak: 'Paint in the sky.' },
];

/** One model's response to a prompt: better models answer fully, weaker ones thinly or wrongly. */
function responseOf(model: SampleModel, p: (typeof PROMPTS)[number]): string {
  const firstSentence = p.good.split(/(?<=[.!?])\s/)[0];
  switch (model) {
    case 'lumen-large':
      return p.good;
    case 'quill-pro':
      return `${firstSentence} Let me know if you would like more detail.`;
    case 'harbor-7':
      return firstSentence;
    case 'pebble-mini':
      return `${p.weak} ${firstSentence}`;
    default:
      return p.weak;
  }
}

export interface SampleItem {
  id: string;
  prompt: Array<{ role: 'user'; content: string }>;
  responses: Array<{ model: SampleModel; messages: Array<{ role: 'assistant'; content: string }> }>;
}

/** The dataset as items for POST /v1/evals/{project}/pairs: each prompt with all five responses. */
export function sampleItems(): SampleItem[] {
  return PROMPTS.map((p, k) => ({
    id: `sample-${String(k + 1).padStart(2, '0')}`,
    prompt: [{ role: 'user', content: p.prompt }],
    responses: SAMPLE_MODELS.map(({ model }) => ({ model, messages: [{ role: 'assistant', content: responseOf(model, p) }] })),
  }));
}

const TRUE_RATING = new Map<string, number>(SAMPLE_MODELS.map((m) => [m.model, m.rating]));

/** A sample model's true rating; throws for a name not in SAMPLE_MODELS. */
export function trueRating(model: string): number {
  const rating = TRUE_RATING.get(model);
  if (rating === undefined) throw new Error(`not a sample model: ${model}`);
  return rating;
}

/**
 * A simulated judge's choice between two sample models. With p = 1 / (1 + 10^((R_b - R_a) / 400))
 * from the true ratings, it calls a tie with probability t = 2 · tieRate · min(p, 1 - p) (ties are
 * likelier between close models; `tieRate` between equals), else picks `a` with probability
 * (p - t/2) / (1 - t). So a's expected score (ties as half) is exactly p, and a Bradley-Terry fit
 * with ties as half-wins estimates the true ratings without bias.
 */
export function simulateChoice(a: string, b: string, random: Random, tieRate = 0.1): 'a' | 'b' | 'tie' {
  const p = 1 / (1 + 10 ** ((trueRating(b) - trueRating(a)) / 400));
  const tie = 2 * tieRate * Math.min(p, 1 - p);
  if (random() < tie) return 'tie';
  return random() < (p - tie / 2) / (1 - tie) ? 'a' : 'b';
}

/**
 * `count` simulated votes over the sample: a random prompt and two different models per vote,
 * judged by simulateChoice. Lengths come from the sample responses. Seeded: the same seed gives
 * the same votes.
 */
export function simulateVotes(opts: { count: number; seed?: number; tieRate?: number }): Vote[] {
  const random = createRandom(opts.seed ?? 1);
  const items = sampleItems();
  const out: Vote[] = [];
  for (let v = 0; v < opts.count; v++) {
    const item = items[Math.floor(random() * items.length)];
    const x = Math.floor(random() * item.responses.length);
    let y = Math.floor(random() * (item.responses.length - 1));
    if (y >= x) y++;
    const a = item.responses[x];
    const b = item.responses[y];
    const choice = simulateChoice(a.model, b.model, random, opts.tieRate);
    out.push({ a: a.model, b: b.model, score: choice === 'a' ? 1 : choice === 'b' ? 0 : 0.5, lengthA: a.messages[0].content.length, lengthB: b.messages[0].content.length });
  }
  return out;
}
