import type { Rng } from '@perfusion/tensor-core';
import * as V from './vocabulary.js';

/** Picks list entries with one seeded stream. */
class Picker {
  constructor(private readonly rng: Rng) {}

  one<T>(list: readonly T[]): T {
    return list[Math.floor(this.rng.uniform() * list.length)]!;
  }

  chance(p: number): boolean {
    return this.rng.uniform() < p;
  }

  /** `k` distinct entries. */
  distinct<T>(list: readonly T[], k: number): T[] {
    const out: T[] = [];
    while (out.length < k) {
      const item = this.one(list);
      if (!out.includes(item)) out.push(item);
    }
    return out;
  }
}

/** "a" or "an" before `phrase`, by its first letter (with the usual exceptions). */
export function withArticle(phrase: string): string {
  const lower = phrase.toLowerCase();
  const vowelSound = /^[aeiou]/.test(lower) && !/^(uni|use|eu|one)/.test(lower);
  return `${vowelSound || /^(hour|honest)/.test(lower) ? 'an' : 'a'} ${phrase}`;
}

/** The plural of a subject noun phrase. */
export function pluralOf(noun: string): string {
  const irregular = V.IRREGULAR_PLURALS[noun];
  if (irregular !== undefined) return irregular;
  if (/(s|x|z|ch|sh)$/.test(noun)) return `${noun}es`;
  if (/[^aeiou]y$/.test(noun)) return `${noun.slice(0, -1)}ies`;
  return `${noun}s`;
}

type Kind = 'person' | 'animal' | 'object' | 'vehicle' | 'food' | 'building' | 'plant';

interface Subject {
  readonly kind: Kind;
  /** The noun phrase without article or adjective. */
  readonly noun: string;
  /** With an optional adjective, without article. */
  readonly phrase: string;
}

function subjectOf(p: Picker, kinds: readonly Kind[]): Subject {
  const kind = p.one(kinds);
  switch (kind) {
    case 'person': {
      const noun = p.one(V.PEOPLE);
      return { kind, noun, phrase: p.chance(0.3) ? `${p.one(['smiling', 'tired', 'happy', 'serious', 'tall', 'elderly', 'young'])} ${noun}` : noun };
    }
    case 'animal': {
      const noun = p.one(V.ANIMALS);
      return { kind, noun, phrase: p.chance(0.5) ? `${p.one(V.ANIMAL_ADJECTIVES)} ${noun}` : noun };
    }
    case 'object': {
      const noun = p.one(V.OBJECTS);
      const r = p.one([0, 1, 2, 3]);
      const phrase = r === 0 ? noun : r === 1 ? `${p.one(V.COLORS)} ${noun}` : r === 2 ? `${p.one(V.MATERIALS)} ${noun}` : `${p.one(V.MATERIALS)} ${p.one(V.COLORS)} ${noun}`;
      return { kind, noun, phrase };
    }
    case 'vehicle': {
      const noun = p.one(V.VEHICLES);
      return { kind, noun, phrase: p.chance(0.5) ? `${p.one(V.COLORS)} ${noun}` : noun };
    }
    case 'food': {
      const noun = p.one(V.FOODS);
      return { kind, noun, phrase: p.chance(0.3) ? `${p.one(['fresh', 'homemade', 'delicious', 'half-eaten', 'steaming', 'giant'])} ${noun}` : noun };
    }
    case 'building': {
      const noun = p.one(V.BUILDINGS);
      return { kind, noun, phrase: p.chance(0.4) ? `${p.one(['old', 'abandoned', 'tiny', 'colorful', 'ancient', 'modern', 'crumbling', 'white'])} ${noun}` : noun };
    }
    case 'plant': {
      const noun = p.one(V.PLANTS);
      return { kind, noun, phrase: p.chance(0.3) ? `${p.one(['tall', 'small', 'blooming', 'dried', 'giant', 'lonely'])} ${noun}` : noun };
    }
  }
}

/** What the subject does or how it is placed (a phrase after the subject), or '' sometimes. */
function predicateOf(p: Picker, subject: Subject): string {
  switch (subject.kind) {
    case 'person':
      return p.one(V.PEOPLE_ACTIONS);
    case 'animal':
      return p.one(V.ANIMAL_ACTIONS);
    case 'vehicle':
      return p.one(['parked', 'driving', 'speeding', 'stuck in traffic', 'covered in snow', 'abandoned', 'waiting', 'moving']);
    case 'object':
    case 'food':
      return p.chance(0.6) ? p.one(V.PLACEMENTS) : '';
    default:
      return '';
  }
}

const ALL_KINDS: readonly Kind[] = ['person', 'person', 'animal', 'animal', 'animal', 'object', 'object', 'vehicle', 'food', 'building', 'plant'];

/** One caption from a randomly chosen template. */
export function generateCaption(rng: Rng): string {
  const p = new Picker(rng);
  const template = p.one([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  const join = (...parts: string[]) => parts.filter((x) => x !== '').join(' ');
  const subjectClause = (s: Subject) => join(withArticle(s.phrase), predicateOf(p, s));
  switch (template) {
    case 0: {
      const s = subjectOf(p, ALL_KINDS);
      return join(p.one(V.STYLES), subjectClause(s), p.one(V.PLACES));
    }
    case 1: {
      const s = subjectOf(p, ALL_KINDS);
      return `${join(subjectClause(s), p.one(V.PLACES))}, ${p.one(V.TIMES)}`;
    }
    case 2: {
      const s = subjectOf(p, ALL_KINDS);
      const [a, b] = p.distinct(V.PHOTO_TERMS, 2);
      return `${join(p.one(V.STYLES.slice(0, 7)), withArticle(s.phrase), p.one(V.PLACES))}, ${a}, ${b}`;
    }
    case 3: {
      const [s1, s2] = [subjectOf(p, ALL_KINDS), subjectOf(p, ALL_KINDS)];
      return join(withArticle(s1.phrase), 'and', withArticle(s2.phrase), p.one(V.PLACES));
    }
    case 4: {
      const s = subjectOf(p, ['object', 'food', 'plant']);
      return join(withArticle(s.phrase), p.one(['on', 'next to', 'beside', 'in front of']), p.one(V.SURFACES), p.chance(0.5) ? p.one(V.TIMES) : '');
    }
    case 5: {
      const s = subjectOf(p, ALL_KINDS);
      return join(subjectClause(s), p.one(V.PLACES), p.one(V.STYLE_SUFFIXES));
    }
    case 6: {
      const a = subjectOf(p, ['object', 'food']);
      const b = subjectOf(p, ['object', 'food']);
      return join(withArticle(a.phrase), 'next to', withArticle(b.phrase), 'on', p.one(V.SURFACES));
    }
    case 7: {
      const s = subjectOf(p, ['person']);
      const [a, b] = p.distinct(V.PHOTO_TERMS, 2);
      return `${join(withArticle(s.phrase), p.one(V.PEOPLE_ACTIONS), p.one(V.PLACES))}, ${p.one(V.TIMES)}, ${a}, ${b}`;
    }
    case 8: {
      const s = subjectOf(p, ['building', 'plant']);
      return `${join(p.one(['a view of', 'a distant view of', 'the view from', 'a panorama of', 'a photo of']), withArticle(s.phrase), p.one(V.TIMES))}, ${p.one(V.STYLE_SUFFIXES)}`;
    }
    case 9: {
      const s = subjectOf(p, ALL_KINDS);
      const terms = p.distinct([...V.PHOTO_TERMS, ...V.STYLE_SUFFIXES], p.one([2, 3, 4]));
      return [withArticle(s.phrase), ...terms].join(', ');
    }
    case 10: {
      const s = subjectOf(p, ['animal', 'object', 'food', 'vehicle', 'plant']);
      return join(p.one(V.NUMBERS), pluralOf(s.noun), p.one(V.PLACES), p.chance(0.5) ? p.one(V.TIMES) : '');
    }
    default: {
      const s = subjectOf(p, ['animal', 'person']);
      return join(p.one(['close-up of', 'a portrait of', 'a headshot of', 'a side view of', 'a back view of']), withArticle(s.phrase), p.chance(0.5) ? p.one(V.PLACES) : 'on a plain background');
    }
  }
}
